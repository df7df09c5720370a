package dev.parley.process;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RedisServer;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node as a real process (target/parley.jar) beside an in-process node, both on one real
 * redis-server: what happens to its members when the process is killed, and when it is drained
 * by a rolling deploy.
 */
class RedisNodesIT {
    private static final Duration PRESENCE_TTL = Duration.ofSeconds(3);

    private RedisServer redis;
    private ParleyServer b;
    private final List<ChatClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        b = TestServer.start(java.util.Map.of(
                "parley.broker.type", "redis", "parley.broker.redis.url", redis.url(),
                "parley.broker.redis.timeout", "PT1S", "parley.broker.redis.presence-ttl", PRESENCE_TTL.toString(),
                "parley.broker.redis.check-interval", "PT0.2S",
                "parley.rate.per-second", "1000", "parley.rate.burst", "1000"));
    }

    @AfterEach
    void stop() {
        clients.forEach(ChatClient::abort);
        if (b != null) {
            b.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private ParleyProcess nodeA(String... more) throws Exception {
        List<String> props = new ArrayList<>(List.of(
                "-Dparley.broker.type=redis", "-Dparley.broker.redis.url=" + redis.url(),
                "-Dparley.broker.redis.timeout=PT1S", "-Dparley.broker.redis.presence-ttl=" + PRESENCE_TTL,
                "-Dparley.broker.redis.check-interval=PT0.2S",
                "-Dparley.rate.per-second=1000", "-Dparley.rate.burst=1000"));
        props.addAll(List.of(more));
        return ParleyProcess.start(props.toArray(String[]::new));
    }

    private ChatClient joined(URI ws, String room, String name) {
        ChatClient c = ChatClient.joined(ws, room, name);
        clients.add(c);
        return c;
    }

    private static URI ws(int port) {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    @Test
    void aKilledNodesMembersLeavePresenceWithinTheTtlAndTheOthersKeepChatting() throws Exception {
        try (ParleyProcess a = nodeA()) {
            ChatClient alice = joined(ws(a.port()), "survive", "alice");
            ChatClient bob = joined(TestServer.ws(b), "survive", "bob");
            assertThat(bob.all("joined").getFirst().path("members")).extracting(JsonNode::asText).containsExactly("alice", "bob");

            a.close(); // SIGKILL: no drain, no goodbye to Redis
            long killed = System.nanoTime();
            assertThat(alice.awaitClose()).isEqualTo(1006);
            JsonNode leave = bob.next(n -> "leave".equals(n.path("event").asText()) && "alice".equals(n.path("name").asText()),
                                      "alice's departure once her node's presence expires");
            Duration took = Duration.ofNanos(System.nanoTime() - killed);
            assertThat(took).isLessThan(PRESENCE_TTL.plusSeconds(3));
            assertThat(leave.path("count").asInt()).isEqualTo(1);

            ChatClient carol = joined(TestServer.ws(b), "survive", "carol");
            long seq = bob.sayAndAwaitAck("survive", "still here");
            carol.next(n -> n.path("seq").asLong() == seq, "bob's message");
            assertThat(carol.all("joined").getFirst().path("members")).extracting(JsonNode::asText).containsExactly("bob", "carol");
        }
    }

    @Test
    void aRollingDeployLosesNoAckedMessageAndMembersResumeOnTheOtherNode() throws Exception {
        try (ParleyProcess a = nodeA("-Dshutdown.grace=PT10S", "-Dshutdown.drain-timeout=PT3S", "-Dshutdown.batch=5")) {
            List<ChatClient> onA = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                onA.add(joined(ws(a.port()), "deploy", "m" + i));
            }
            ChatClient sender = joined(TestServer.ws(b), "deploy", "sender");
            Set<Long> acked = ConcurrentHashMap.newKeySet();
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread talk = Thread.ofVirtual().start(() -> {
                for (int i = 0; sending.get() || i < 50; i++) {
                    acked.add(sender.sayUntilAcked("deploy", "msg " + i, "d" + i));
                }
            });
            await().atMost(ChatClient.WAIT).until(() -> acked.size() >= 20);

            a.terminate(); // SIGTERM: drain, close 1001 in batches
            List<ChatClient> resumed = new ArrayList<>();
            List<Set<Long>> beforeByClient = new ArrayList<>();
            for (ChatClient m : onA) {
                assertThat(m.awaitClose()).isEqualTo(1001);
                String epoch = m.all("joined").getFirst().path("epoch").asText();
                long last = m.messages("deploy").isEmpty() ? 0 : m.messages("deploy").getLast().path("seq").asLong();
                ChatClient back = ChatClient.open(TestServer.ws(b));
                clients.add(back);
                back.send(ChatClient.obj("type", "join", "room", "deploy", "name", "again-" + resumed.size(),
                                         "epoch", epoch, "since", last));
                assertThat(back.next("joined").path("recovered").asBoolean()).as("resumed on the other node").isTrue();
                resumed.add(back);
                Set<Long> before = new HashSet<>();
                m.messages("deploy").forEach(n -> before.add(n.path("seq").asLong()));
                beforeByClient.add(before);
            }
            assertThat(a.awaitExit(Duration.ofSeconds(15))).isZero();
            sending.set(false);
            talk.join(60_000);

            for (int i = 0; i < resumed.size(); i++) {
                ChatClient back = resumed.get(i);
                Set<Long> before = beforeByClient.get(i);
                await().atMost(ChatClient.WAIT).untilAsserted(() -> {
                    Set<Long> all = new HashSet<>(before);
                    back.messages("deploy").forEach(n -> all.add(n.path("seq").asLong()));
                    assertThat(all).containsAll(acked);
                });
                // Resumed exactly after what it had: no message twice across the two connections.
                List<Long> after = back.messages("deploy").stream().map(n -> n.path("seq").asLong()).toList();
                assertThat(after).doesNotHaveDuplicates().isSorted().doesNotContainAnyElementsOf(before);
            }
        }
    }
}
