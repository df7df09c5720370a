package dev.parley.observe;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End to end: Parley configured only through parley.tracing exports its spans over OTLP/HTTP to a
 * collector on a local port — here a tiny one that decodes the protobuf requests.
 */
class OtlpExportTest {
    private HttpServer collector;
    private final List<ExportTraceServiceRequest> received = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startCollector() throws IOException {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", this::export);
        collector.start();
    }

    @AfterEach
    void stopCollector() {
        collector.stop(0);
    }

    @Test
    void connectionSpanArrivesWithTheServiceName() {
        ParleyServer server = ParleyServer.start(TestServer.config(Map.of(
                "parley.tracing.enabled", "true",
                "parley.tracing.service-name", "parley-export-test",
                "parley.tracing.protocol", "http/protobuf",
                "parley.tracing.endpoint", "http://127.0.0.1:" + collector.getAddress().getPort())));
        String session;
        try (ChatClient c = ChatClient.joined(TestServer.ws(server), "export", "alice")) {
            session = c.all("hello").getFirst().path("session").asText();
            c.say("export", "hello collector", "e1");
            c.next("ack");
        } finally {
            server.stop(); // flushes the batch processor
        }

        await().atMost(ChatClient.WAIT).until(() -> connectionSpan(session) != null);
        assertThat(paths).allMatch("/v1/traces"::equals);
        ResourceSpans resource = connectionSpan(session);
        assertThat(attribute(resource.getResource().getAttributesList(), "service.name")).isEqualTo("parley-export-test");
        assertThat(attribute(resource.getResource().getAttributesList(), "service.version"))
                .isEqualTo(BuildInfo.version()).isNotEqualTo("unknown").matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(attribute(resource.getResource().getAttributesList(), "service.instance.id")).isNotBlank();
        assertThat(resource.getScopeSpansList()).allSatisfy(s -> {
            assertThat(s.getScope().getName()).isEqualTo("dev.parley");
            assertThat(s.getScope().getVersion()).isEqualTo(BuildInfo.version());
        });
        Span span = resource.getScopeSpansList().stream().flatMap(s -> s.getSpansList().stream())
                .filter(s -> s.getName().equals("ws.connection")).findFirst().orElseThrow();
        assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(span.getEventsList()).extracting(Span.Event::getName).contains("open", "join", "cleanup.done");
        await().atMost(ChatClient.WAIT).until(() -> spans().anyMatch(s -> s.getName().equals("chat.publish")));
    }

    /** The resource spans holding the session's ws.connection span, or null. */
    private ResourceSpans connectionSpan(String session) {
        for (ExportTraceServiceRequest r : received) {
            for (ResourceSpans rs : r.getResourceSpansList()) {
                boolean found = rs.getScopeSpansList().stream().flatMap(s -> s.getSpansList().stream())
                        .anyMatch(s -> s.getName().equals("ws.connection")
                                       && session.equals(attribute(s.getAttributesList(), "parley.session")));
                if (found) {
                    return rs;
                }
            }
        }
        return null;
    }

    private java.util.stream.Stream<Span> spans() {
        return received.stream().flatMap(r -> r.getResourceSpansList().stream())
                .flatMap(rs -> rs.getScopeSpansList().stream()).flatMap(s -> s.getSpansList().stream());
    }

    private static String attribute(List<KeyValue> attributes, String key) {
        return attributes.stream().filter(kv -> kv.getKey().equals(key)).map(kv -> kv.getValue().getStringValue())
                .findFirst().orElse(null);
    }

    private void export(HttpExchange exchange) throws IOException {
        paths.add(exchange.getRequestURI().getPath());
        InputStream body = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            body = new GZIPInputStream(body);
        }
        received.add(ExportTraceServiceRequest.parseFrom(body));
        byte[] response = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
        exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, response.length == 0 ? -1 : response.length);
        exchange.getResponseBody().write(response);
        exchange.close();
    }
}
