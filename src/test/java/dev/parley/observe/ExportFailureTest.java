package dev.parley.observe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tracing on and the collector down or failing: the log gets one WARNING line per burst of failed
 * exports (where to, the cause, what to do), no SEVERE line and no stack trace, and one INFO line
 * when exports work again.
 */
class ExportFailureTest {
    /** Everything that reaches the console handlers (the root logger's). */
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void noCollectorGivesOneWarningLineAndNoStackTrace() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        ParleyServer server = ParleyServer.start(TestServer.config(Map.of(
                "parley.tracing.enabled", "true",
                "parley.tracing.protocol", "http/protobuf",
                "parley.tracing.endpoint", "http://127.0.0.1:" + deadPort)));
        try {
            for (int i = 0; i < 3; i++) {
                try (ChatClient c = ChatClient.joined(TestServer.ws(server), "no-collector", "u" + i)) {
                    assertThat(c.all("hello")).isNotEmpty();
                }
            }
        } finally {
            server.stop(); // flushes: the export fails now at the latest
        }
        await().atMost(ChatClient.WAIT).until(() -> !warnings().isEmpty());
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().getFirst().getMessage())
                .contains("could not export")
                .contains("http://127.0.0.1:" + deadPort + "/v1/traces (OTLP http/protobuf)")
                .contains("ConnectException")
                .contains("parley.tracing.endpoint");
        assertThat(logged).noneMatch(r -> r.getThrown() != null && r.getLoggerName().startsWith("io.opentelemetry"));
        assertThat(logged).noneMatch(r -> r.getLevel().intValue() >= Level.SEVERE.intValue());
    }

    @Test
    void aBurstOfFailuresIsOneWarningAndRecoveryIsOneInfoLine() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            // The first three exports fail, as a collector that is starting up answers.
            exchange.sendResponseHeaders(requests.incrementAndGet() <= 3 ? 503 : 200, -1);
            exchange.close();
        });
        collector.start();
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces";
        ExportFailureLog exporter = new ExportFailureLog(OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build(),
                                                         endpoint + " (OTLP http/protobuf)");
        SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        try {
            for (int i = 1; i <= 4; i++) {
                provider.get("test").spanBuilder("span-" + i).startSpan().end();
                int expected = i;
                await().atMost(ChatClient.WAIT).until(() -> requests.get() >= expected);
                provider.forceFlush().join(5, TimeUnit.SECONDS);
            }
            await().atMost(ChatClient.WAIT).until(() -> infos().stream().anyMatch(r -> r.getMessage().contains("again")));
        } finally {
            provider.shutdown().join(5, TimeUnit.SECONDS);
            collector.stop(0);
        }
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().getFirst().getMessage()).contains(endpoint).contains("503");
        assertThat(infos()).filteredOn(r -> r.getMessage().contains("again"))
                .singleElement().satisfies(r -> assertThat(r.getMessage()).contains("after 3 failed exports"));
        assertThat(logged).noneMatch(r -> r.getThrown() != null);
        assertThat(logged).noneMatch(r -> r.getLevel().intValue() >= Level.SEVERE.intValue());
    }

    private List<LogRecord> warnings() {
        return logged.stream().filter(r -> r.getLevel() == Level.WARNING && r.getMessage().startsWith("tracing:")).toList();
    }

    private List<LogRecord> infos() {
        return logged.stream().filter(r -> r.getLevel() == Level.INFO && r.getMessage().startsWith("tracing:")).toList();
    }
}
