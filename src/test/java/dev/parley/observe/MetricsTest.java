package dev.parley.observe;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /observe/metrics} before and after a scripted session: every counter and gauge moves by
 * exactly what the session did. The registry is global to the test JVM, so only deltas count.
 */
class MetricsTest {
    private static ParleyServer server;
    private static URI ws;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
        ws = TestServer.ws(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void scriptedSessionMovesEveryMeterByExactlyItsAmount() throws Exception {
        String room = "metrics-" + System.nanoTime();
        Scrape before = Scrape.of(server);

        // A browser from another site is refused at the upgrade.
        try (RawClient refused = RawClient.connect(ws, Map.of("Origin", "http://elsewhere.example"))) {
            assertThat(refused.status()).isEqualTo(403);
        }

        ChatClient alice = ChatClient.joined(ws, room, "alice");
        ChatClient bob = ChatClient.joined(ws, room, "bob");
        alice.next("presence");
        Scrape during = Scrape.of(server);
        assertThat(during.delta(before, "parley_connections")).isEqualTo(2);
        assertThat(during.delta(before, "parley_rooms")).isEqualTo(1);

        for (int i = 1; i <= 3; i++) {
            alice.say(room, "message " + i, "m" + i);
            alice.next("ack");
        }
        for (int i = 0; i < 3; i++) {
            bob.next("message");
            alice.next("message"); // her own copy, which may come after her ack
        }
        alice.sendText("{not json");
        alice.next("error");
        bob.abort(); // the network drops bob: no close frame
        alice.next(n -> "leave".equals(n.path("event").asText()), "bob leaves");
        alice.close(); // 1000

        await().atMost(ChatClient.WAIT).untilAsserted(() -> {
            Scrape now = Scrape.of(server);
            assertThat(now.delta(before, "parley_connections_closed_total", "reason", "client")).isEqualTo(1);
            assertThat(now.delta(before, "parley_connections_closed_total", "reason", "network")).isEqualTo(1);
            assertThat(now.delta(before, "parley_connections")).isZero();
        });
        Scrape after = Scrape.of(server);

        assertThat(after.delta(before, "parley_connections_opened_total")).isEqualTo(2);
        assertThat(after.delta(before, "parley_upgrades_rejected_total", "reason", "origin")).isEqualTo(1);
        assertThat(after.delta(before, "parley_upgrades_rejected_total", "reason", "draining")).isZero();
        // alice: join, 3 sends, bad json; bob: join
        assertThat(after.delta(before, "parley_messages_received_total")).isEqualTo(6);
        assertThat(after.delta(before, "parley_messages_published_total")).isEqualTo(3);
        // alice: hello, joined, presence(bob), 3 messages, 3 acks, error, presence(bob left) = 11;
        // bob: hello, joined, 3 messages = 5
        assertThat(after.delta(before, "parley_messages_delivered_total")).isEqualTo(16);
        assertThat(after.delta(before, "parley_messages_rejected_total", "code", "bad_json")).isEqualTo(1);
        assertThat(after.delta(before, "parley_slow_consumer_disconnects_total")).isZero();
        assertThat(after.delta(before, "parley_connections_closed_total", "reason", "slow_consumer")).isZero();
        // the room outlives its members (history TTL)
        assertThat(after.delta(before, "parley_rooms")).isEqualTo(1);

        assertThat(after.delta(before, "parley_broadcast_duration_seconds_count")).isEqualTo(3);
        assertThat(after.delta(before, "parley_broadcast_duration_seconds_bucket", "le", "+Inf")).isEqualTo(3);
        // The histograms sample writes: each connection's first, then one in 8; a write's depth
        // sample and its duration sample go together. Each connection here wrote at most 11
        // objects, so in at most 11 writes: one or two samples each.
        double writes = after.delta(before, "parley_write_duration_seconds_count");
        assertThat(writes).isBetween(2.0, 4.0);
        assertThat(after.delta(before, "parley_write_duration_seconds_bucket", "le", "+Inf")).isEqualTo(writes);
        assertThat(after.delta(before, "parley_outbox_depth_count")).isEqualTo(writes);
        assertThat(after.delta(before, "parley_outbox_depth_sum")).isBetween(writes, 16.0);
    }

    @Test
    void jvmAndSystemMetersArePublished() {
        Scrape s = Scrape.of(server);
        assertThat(s.has("jvm_uptime_seconds")).isTrue();
        assertThat(s.has("memory_usedHeap_bytes")).isTrue();
        assertThat(s.has("thread_count")).isTrue();
        assertThat(s.has("cpu_availableProcessors")).isTrue();
        assertThat(s.has("gc_total")).isTrue();
    }
}
