package dev.parley.ws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.hub.Room;
import dev.parley.support.ChatClient;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every way a connection can end runs the same cleanup, promptly: the member leaves its rooms
 * (others see it), and no session, writer or cleanup thread is left behind.
 */
class CleanupTest {
    private ParleyServer server;
    private URI ws;

    private void start(Map<String, String> overrides) {
        server = TestServer.start(overrides);
        ws = TestServer.ws(server);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    /** Joins a raw client as "victim" with an observer in the room; returns the raw client. */
    private RawClient victimWithObserver(ChatClient observer) throws Exception {
        RawClient raw = RawClient.connect(ws);
        assertThat(raw.status()).isEqualTo(101);
        raw.read(); // hello
        raw.sendText("{\"type\":\"join\",\"room\":\"c\",\"name\":\"victim\"}");
        raw.read(); // joined
        observer.next(n -> n.path("name").asText().equals("victim") && n.path("event").asText().equals("join"), "victim joins");
        return raw;
    }

    private void assertCleanedUp(ChatClient observer) {
        observer.next(n -> n.path("name").asText().equals("victim") && n.path("event").asText().equals("leave"), "victim leaves");
        await().atMost(ChatClient.WAIT).untilAsserted(() -> {
            assertThat(server.connections().size()).isEqualTo(1); // the observer
            // At most the observer's writer (it ends after a second without work).
            assertThat(server.connections().liveThreads()).isLessThanOrEqualTo(1);
            assertThat(server.connections().liveReaders()).isEqualTo(1); // the observer's
            Room room = server.hub().room("c");
            assertThat(room.size()).isEqualTo(1);
            assertThat(room.memberNames()).containsExactly("observer");
        });
    }

    private void assertEmpty() {
        await().atMost(ChatClient.WAIT).untilAsserted(() -> {
            assertThat(server.connections().size()).isZero();
            assertThat(server.connections().liveThreads()).isZero();
            assertThat(server.connections().liveReaders()).isZero();
        });
    }

    @Test
    void anIdleConnectionHoldsNoParleyThreadAndWakesOneWhenSpokenTo() {
        start(Map.of());
        try (ChatClient alice = ChatClient.joined(ws, "idle", "alice")) {
            // The writer that sent hello and joined retires once idle (watchdog tick, ~1 s).
            await().atMost(ChatClient.WAIT).untilAsserted(() -> {
                assertThat(server.connections().size()).isEqualTo(1);
                assertThat(server.connections().liveThreads()).isZero();
            });
            long seq = alice.sayAndAwaitAck("idle", "still here");
            assertThat(alice.next("message").path("seq").asLong()).isEqualTo(seq);
            await().atMost(ChatClient.WAIT).until(() -> server.connections().liveThreads() == 0);
        }
    }

    @Test
    void closeFrameFromClient() throws Exception {
        start(Map.of());
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            RawClient raw = victimWithObserver(observer);
            raw.frame(0x8, new byte[] {0x03, (byte) 0xE8}, true);
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(1000);
            assertCleanedUp(observer);
            raw.close();
        }
        assertEmpty();
    }

    @Test
    void tcpReset() throws Exception {
        start(Map.of());
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            victimWithObserver(observer).reset();
            assertCleanedUp(observer);
        }
        assertEmpty();
    }

    @Test
    void finWithoutCloseFrame() throws Exception {
        start(Map.of());
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            RawClient raw = victimWithObserver(observer);
            raw.fin();
            assertCleanedUp(observer);
            raw.close();
        }
        assertEmpty();
    }

    @Test
    void idleTimeout() throws Exception {
        start(Map.of("parley.heartbeat", "PT0.5S", "parley.idle-timeout", "PT1.5S", "parley.write-deadline", "PT1S"));
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            RawClient raw = victimWithObserver(observer);
            // The raw client never answers pings; the observer's JDK client does, so it stays.
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(1001);
            assertCleanedUp(observer);
            raw.close();
        }
        assertEmpty();
    }

    @Test
    void frameOverTheSizeLimit() throws Exception {
        start(Map.of("parley.max-frame-bytes", "20000"));
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            RawClient raw = victimWithObserver(observer);
            raw.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(30_000) + "\"}");
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(1009);
            assertCleanedUp(observer);
            raw.close();
        }
        assertEmpty();
    }

    @Test
    void fragmentedMessageTooBig() throws Exception {
        start(Map.of("parley.max-frame-bytes", "20000"));
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            RawClient raw = victimWithObserver(observer);
            byte[] chunk = "x".repeat(15_000).getBytes();
            raw.frame(0x1, chunk, false);
            raw.frame(0x0, chunk, true);
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(1009);
            assertCleanedUp(observer);
            raw.close();
        }
        assertEmpty();
    }

    @Test
    void binaryFrameIsAProtocolViolation() throws Exception {
        start(Map.of());
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            RawClient raw = victimWithObserver(observer);
            raw.sendBinary(new byte[] {1, 2, 3});
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(1003);
            assertCleanedUp(observer);
            raw.close();
        }
        assertEmpty();
    }

    @Test
    void protocolViolation() throws Exception {
        start(Map.of());
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            RawClient raw = victimWithObserver(observer);
            raw.frame(0x3, new byte[0], true);
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(1002);
            assertCleanedUp(observer);
            raw.close();
        }
        assertEmpty();
    }

    @Test
    void invalidUtf8() throws Exception {
        start(Map.of());
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            RawClient raw = victimWithObserver(observer);
            raw.frame(0x1, new byte[] {'{', (byte) 0xC0, (byte) 0xAF, '}'}, true);
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(1007);
            assertCleanedUp(observer);
            raw.close();
        }
        assertEmpty();
    }

    @Test
    void closeHandshakeUnansweredIsAborted() throws Exception {
        start(Map.of("parley.write-deadline", "PT1S"));
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            RawClient raw = victimWithObserver(observer);
            raw.sendBinary(new byte[] {1});
            // The server sent its close frame; this client never answers it, so the socket is aborted.
            assertThat(raw.readUntilClose().closeCode()).isEqualTo(1003);
            assertCleanedUp(observer);
            raw.close();
        }
        assertEmpty();
    }

    @Test
    void writeDeadlineAbortsAStuckWrite() throws Exception {
        start(Map.of("parley.write-deadline", "PT1S", "parley.outbox.max-messages", "100000",
                     "parley.outbox.max-bytes", "1000000000",
                     "parley.rate.per-second", "100000", "parley.rate.burst", "100000"));
        try (ChatClient observer = ChatClient.joined(ws, "c", "observer")) {
            RawClient raw = victimWithObserver(observer);
            raw.socket().setReceiveBufferSize(4096);
            // The victim never reads: the server's socket buffer fills and a write blocks until the deadline.
            String big = "y".repeat(3900);
            while (server.connections().size() == 2) {
                observer.say("c", big, null);
                observer.next("ack");
            }
            assertCleanedUp(observer);
            raw.close();
        }
        assertEmpty();
    }

    @Test
    void serverShutdownDrains() throws Exception {
        start(Map.of());
        ChatClient a = ChatClient.joined(ws, "c", "a");
        ChatClient b = ChatClient.joined(ws, "c", "b");
        server.shutdown();
        assertThat(a.awaitClose()).isEqualTo(1001);
        assertThat(b.awaitClose()).isEqualTo(1001);
        assertEmpty();
        assertThat(server.isRunning()).isFalse();
    }

    @Test
    void abruptServerStop() throws Exception {
        start(Map.of());
        ChatClient a = ChatClient.joined(ws, "c", "a");
        server.stop();
        await().atMost(Duration.ofSeconds(20)).until(a::isClosed);
        assertEmpty();
    }
}
