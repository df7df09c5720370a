package dev.parley.process;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.parley.support.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM with clients connected: every client gets 1001, none misses a message that was acked
 * before the signal, and the process exits 0 within shutdown.grace.
 */
class GracefulShutdownIT {

    @Test
    void sigtermDrainsEveryClientAndExitsZero() throws Exception {
        try (ParleyProcess parley = ParleyProcess.start("-Dshutdown.grace=PT10S", "-Dshutdown.drain-timeout=PT5S",
                                                        "-Dshutdown.batch=20",
                                                        "-Dparley.rate.per-second=1000", "-Dparley.rate.burst=1000")) {
            URI ws = URI.create("ws://127.0.0.1:" + parley.port() + "/ws");
            List<ChatClient> members = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                members.add(ChatClient.joined(ws, "drain", "m" + i));
            }
            ChatClient sender = ChatClient.joined(ws, "drain", "sender");
            Set<Long> acked = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                sender.say("drain", "before the signal " + i, "d-" + i);
            }
            for (int i = 0; i < 200; i++) {
                acked.add(sender.next("ack").path("seq").asLong());
            }

            long start = System.nanoTime();
            parley.terminate();
            for (ChatClient m : members) {
                assertThat(m.awaitClose()).isEqualTo(1001);
                Set<Long> seen = new HashSet<>();
                for (JsonNode msg : m.messages("drain")) {
                    seen.add(msg.path("seq").asLong());
                }
                assertThat(seen).containsAll(acked);
            }
            assertThat(parley.awaitExit(Duration.ofSeconds(15))).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            // The drain ran to its end before the process exited, not cut short by the JVM.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(parley.output()).anyMatch(l -> l.contains("stopped in")));
        }
    }

    @Test
    void readinessGoesDownAndUpgradesGet503WhileDraining() throws Exception {
        try (ParleyProcess parley = ParleyProcess.start("-Dshutdown.grace=PT10S", "-Dshutdown.drain-timeout=PT8S")) {
            URI ws = URI.create("ws://127.0.0.1:" + parley.port() + "/ws");
            HttpClient http = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + parley.adminPort() + "/observe/health/ready");
            assertThat(http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                    .isEqualTo(200);
            // A client that ignores the close frame keeps the drain going, so there is a window to observe.
            try (var stubborn = dev.parley.support.RawClient.connect(ws)) {
                stubborn.read(); // hello
                parley.terminate();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                        http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode() == 503);
                try (var late = dev.parley.support.RawClient.connect(ws)) {
                    assertThat(late.status()).isEqualTo(503);
                }
                assertThat(stubborn.readUntilClose().closeCode()).isEqualTo(1001);
            }
            assertThat(parley.awaitExit(Duration.ofSeconds(15))).isZero();
        }
    }
}
