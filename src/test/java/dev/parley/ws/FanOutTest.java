package dev.parley.ws;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** 200 members each receive every message of 5 concurrent senders, in order, with gap-free seqs. */
class FanOutTest {
    private static final int RECEIVERS = 200;
    private static final int SENDERS = 5;
    private static final int PER_SENDER = 40;
    private static ParleyServer server;
    private static URI ws;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("parley.rate.per-second", "1000", "parley.rate.burst", "1000"));
        ws = TestServer.ws(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void everyMemberGetsEveryMessageInSeqOrder() throws Exception {
        List<ChatClient> receivers = new ArrayList<>();
        List<ChatClient> senders = new ArrayList<>();
        try {
            for (int i = 0; i < RECEIVERS; i++) {
                receivers.add(ChatClient.joined(ws, "fan", "r" + i));
            }
            for (int i = 0; i < SENDERS; i++) {
                senders.add(ChatClient.joined(ws, "fan", "s" + i));
            }
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> done = new ArrayList<>();
                for (int s = 0; s < SENDERS; s++) {
                    ChatClient sender = senders.get(s);
                    int sid = s;
                    done.add(pool.submit(() -> {
                        for (int n = 0; n < PER_SENDER; n++) {
                            sender.say("fan", "s" + sid + ":" + n, null);
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
            int total = SENDERS * PER_SENDER;
            await().atMost(ChatClient.WAIT)
                    .until(() -> receivers.stream().allMatch(r -> r.messages("fan").size() >= total));

            for (ChatClient r : receivers) {
                List<JsonNode> got = r.messages("fan");
                assertThat(got).hasSize(total);
                long seq = got.getFirst().path("seq").asLong();
                Map<String, Integer> lastPerSender = new HashMap<>();
                for (JsonNode m : got) {
                    assertThat(m.path("seq").asLong()).isEqualTo(seq++);
                    String[] parts = m.path("text").asText().split(":");
                    int n = Integer.parseInt(parts[1]);
                    Integer prev = lastPerSender.put(parts[0], n);
                    assertThat(n).isEqualTo(prev == null ? 0 : prev + 1);
                }
                assertThat(lastPerSender).hasSize(SENDERS);
            }
        } finally {
            receivers.forEach(ChatClient::close);
            senders.forEach(ChatClient::close);
        }
    }
}
