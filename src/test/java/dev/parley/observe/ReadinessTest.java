package dev.parley.observe;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static dev.parley.observe.InMemoryTracing.eventNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * During a shutdown drain the server still answers HTTP, and readiness says DOWN so the load
 * balancer stops sending new clients; liveness stays UP (restarting a draining pod helps no one).
 */
class ReadinessTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void readinessFlipsDownWhileDraining() throws Exception {
        InMemoryTracing tracing = new InMemoryTracing();
        // A client that never answers the close keeps the drain open for one write deadline.
        ParleyServer server = ParleyServer.start(TestServer.config(Map.of("parley.write-deadline", "PT3S")),
                                                 tracing.tracer());
        CompletableFuture<Void> shutdown = null;
        try (RawClient silent = RawClient.connect(TestServer.ws(server))) {
            String session = ChatClient.JSON.readTree(silent.read().text()).path("session").asText();
            assertThat(get(server, "/observe/health/ready").statusCode()).isEqualTo(200);
            assertThat(status(get(server, "/observe/health/ready"))).isEqualTo("UP");
            Scrape before = Scrape.of(server);

            shutdown = CompletableFuture.runAsync(server::shutdown);

            await().atMost(ChatClient.WAIT).until(() -> get(server, "/observe/health/ready").statusCode() == 503);
            HttpResponse<String> ready = get(server, "/observe/health/ready");
            assertThat(status(ready)).isEqualTo("DOWN");
            assertThat(ChatClient.JSON.readTree(ready.body()).findValue("draining").asBoolean()).isTrue();
            assertThat(get(server, "/observe/health/live").statusCode()).isEqualTo(200);
            try (RawClient late = RawClient.connect(TestServer.ws(server))) {
                assertThat(late.status()).isEqualTo(503);
            }
            assertThat(Scrape.of(server).delta(before, "parley_upgrades_rejected_total", "reason", "draining"))
                    .isEqualTo(1);

            assertThat(silent.readUntilClose().closeCode()).isEqualTo(1001);
            shutdown.join();
            assertThat(server.isRunning()).isFalse();

            // The drained connection's span ends too, as a server-side close, not an error.
            SpanData span = tracing.awaitConnectionSpan(session);
            assertThat(span.getAttributes().get(AttributeKey.longKey("parley.close.code"))).isEqualTo(1001L);
            assertThat(span.getAttributes().get(AttributeKey.stringKey("parley.close.reason"))).isEqualTo("server shutdown");
            assertThat(span.getAttributes().get(AttributeKey.stringKey("parley.close.by"))).isEqualTo("server");
            assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(eventNames(span)).endsWith("cleanup.done");
        } finally {
            if (shutdown != null) {
                shutdown.join();
            }
            server.stop();
            tracing.close();
        }
    }

    private static HttpResponse<String> get(ParleyServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(TestServer.admin(server, path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String status(HttpResponse<String> r) throws Exception {
        JsonNode body = ChatClient.JSON.readTree(r.body());
        return body.path("status").asText();
    }
}
