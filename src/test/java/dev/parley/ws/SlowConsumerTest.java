package dev.parley.ws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import io.helidon.metrics.api.Metrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A client that stops reading is cut off; everyone else keeps receiving meanwhile. */
class SlowConsumerTest {
    private static ParleyServer server;
    private static URI ws;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "parley.rate.per-second", "100000",
                "parley.rate.burst", "100000",
                "parley.outbox.max-messages", "64",
                "parley.outbox.max-bytes", "65536",
                "parley.write-deadline", "PT2S"));
        ws = TestServer.ws(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void stalledReaderIsCutOffWhileOthersKeepReceiving() throws Exception {
        String payload = "x".repeat(2000);
        long cutBefore = closed("slow_consumer") + closed("write_deadline");
        try (ChatClient healthy = ChatClient.joined(ws, "slow", "healthy");
             ChatClient sender = ChatClient.joined(ws, "slow", "sender");
             RawClient stalled = RawClient.connect(ws, Map.of(), 4096)) {
            stalled.read(); // hello
            stalled.sendText("{\"type\":\"join\",\"room\":\"slow\",\"name\":\"stalled\"}");
            stalled.read(); // joined
            // From here on the stalled client reads nothing.
            long start = System.nanoTime();
            int sent = 0;
            while (server.connections().size() == 3) {
                assertThat(System.nanoTime() - start).as("stalled client still connected")
                        .isLessThan(Duration.ofSeconds(30).toNanos());
                sender.say("slow", payload + sent, null);
                sent++;
                int expected = sent;
                // Delivery to the healthy member continues, message by message, during the stall.
                await().atMost(Duration.ofSeconds(5)).until(() -> healthy.messages("slow").size() >= expected);
            }
            assertThat(healthy.messages("slow")).hasSize(sent);
            assertThat(healthy.isClosed()).isFalse();
            // Cut off by policy (outbox overflow → 1013, or a write stuck past the deadline → abort).
            await().atMost(ChatClient.WAIT)
                    .until(() -> closed("slow_consumer") + closed("write_deadline") == cutBefore + 1);
            assertThat(server.hub().room("slow").memberNames()).containsExactly("healthy", "sender");
        }
    }

    private static long closed(String reason) {
        return Metrics.globalRegistry()
                .counter("parley.connections.closed", java.util.List.of(io.helidon.metrics.api.Tag.create("reason", reason)))
                .map(c -> c.count()).orElse(0L);
    }
}
