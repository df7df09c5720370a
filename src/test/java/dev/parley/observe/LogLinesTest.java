package dev.parley.observe;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.sdk.trace.data.SpanData;
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
 * The log lines of a connection, in the JSON format: the upgrade and the close, each carrying the
 * session and the trace/span ids of its ws.connection span; no chat text anywhere; and the HTTP
 * access log for ordinary requests.
 */
class LogLinesTest {
    // Strong references: JUL forgets the level of a logger nobody holds.
    private static final Logger PARLEY = Logger.getLogger("dev.parley");
    private static final Logger ACCESS = Logger.getLogger("io.helidon.webserver.AccessLog");
    private static final List<String> LINES = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        private final JsonLogFormatter json = new JsonLogFormatter();

        @Override
        public void publish(LogRecord record) {
            if (isLoggable(record)) {
                LINES.add(json.format(record)); // formatted on the logging thread, as a console handler does
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private static InMemoryTracing tracing;
    private static ParleyServer server;
    private static Level accessLevel;

    @BeforeAll
    static void start() {
        accessLevel = ACCESS.getLevel();
        ACCESS.setLevel(Level.INFO);
        PARLEY.addHandler(CAPTURE);
        ACCESS.addHandler(CAPTURE);
        tracing = new InMemoryTracing();
        server = ParleyServer.start(TestServer.config(Map.of()), tracing.tracer());
    }

    @AfterAll
    static void stop() {
        server.stop();
        tracing.close();
        PARLEY.removeHandler(CAPTURE);
        ACCESS.removeHandler(CAPTURE);
        ACCESS.setLevel(accessLevel);
    }

    @Test
    void upgradeAndCloseLinesCarryTheConnectionsIds() throws Exception {
        String secret = "correct horse battery staple";
        String session;
        try (ChatClient c = ChatClient.joined(TestServer.ws(server), "logs", "alice")) {
            session = c.all("hello").getFirst().path("session").asText();
            c.say("logs", secret, "l1");
            c.next("ack");
        }
        SpanData span = tracing.awaitConnectionSpan(session);
        await().atMost(ChatClient.WAIT).until(() -> line("ws.close", session) != null);

        JsonNode upgrade = line("ws.upgrade", session);
        assertThat(upgrade.path("logger").asText()).isEqualTo("dev.parley.connection");
        assertThat(upgrade.path("status").asInt()).isEqualTo(101);
        assertThat(upgrade.path("client").asText()).isEqualTo("127.0.0.1");
        assertThat(upgrade.path("user_agent").asText()).startsWith("Java-http-client");
        JsonNode close = line("ws.close", session);
        assertThat(close.path("code").asInt()).isEqualTo(1000);
        assertThat(close.path("by").asText()).isEqualTo("client");
        assertThat(close.path("messages_in").asLong()).isEqualTo(2);
        for (JsonNode l : List.of(upgrade, close)) {
            assertThat(l.path("trace_id").asText()).isEqualTo(span.getTraceId());
            assertThat(l.path("span_id").asText()).isEqualTo(span.getSpanId());
        }
        assertThat(LINES).noneMatch(l -> l.contains(secret));
    }

    /**
     * A writer is started by whichever thread first has work for it — often another connection's,
     * fanning out. Its lines must still carry its own connection's session.
     */
    @Test
    void aWriterStartedByAnotherConnectionLogsAsItsOwn() throws Exception {
        Logger connection = Logger.getLogger("dev.parley.ws.Connection");
        Level level = connection.getLevel();
        connection.setLevel(Level.FINE); // "write failed" is DEBUG
        ParleyServer strict = TestServer.start(Map.of(
                "parley.write-deadline", "PT1S", "parley.rate.per-second", "100000", "parley.rate.burst", "100000"));
        URI ws = TestServer.ws(strict);
        try (RawClient victim = RawClient.connect(ws, Map.of(), 4096);
             ChatClient sender = ChatClient.joined(ws, "w", "sender").discardMessages()) {
            String victimSession = ChatClient.JSON.readTree(victim.read().text()).path("session").asText();
            victim.sendText("{\"type\":\"join\",\"room\":\"w\",\"name\":\"victim\"}");
            victim.read(); // joined
            String senderSession = sender.all("hello").getFirst().path("session").asText();
            // Both writers retire once idle: the next one the victim gets is started by the
            // sender's reader thread, fanning out to a quiet room.
            await().atMost(ChatClient.WAIT).until(() -> strict.connections().liveThreads() == 0);
            String text = "w".repeat(4000);
            // The victim never reads again: its writer blocks, the write deadline aborts the socket,
            // and the blocked write fails on the writer thread.
            while (strict.hub().room("w").size() == 2) {
                sender.sayAndAwaitAck("w", text);
            }
            await().atMost(ChatClient.WAIT).until(() -> LINES.stream()
                    .anyMatch(l -> l.contains("write failed") && l.contains(victimSession)));
            JsonNode failed = LINES.stream().filter(l -> l.contains("write failed") && l.contains(victimSession))
                    .map(LogLinesTest::json).findFirst().orElseThrow();
            assertThat(failed.path("session").asText()).isEqualTo(victimSession).isNotEqualTo(senderSession);
        } finally {
            strict.stop();
            connection.setLevel(level);
        }
    }

    @Test
    void everyLineIsOneJsonObject() {
        String session;
        try (ChatClient c = ChatClient.open(TestServer.ws(server))) {
            session = c.all("hello").getFirst().path("session").asText();
        }
        await().atMost(ChatClient.WAIT).until(() -> line("ws.close", session) != null);
        assertThat(LINES).allSatisfy(l -> {
            assertThat(l.strip()).doesNotContain("\n");
            assertThat(ChatClient.JSON.readTree(l).isObject()).isTrue();
        });
    }

    @Test
    void httpRequestsGetAnAccessLogLine() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(TestServer.http(server, "/")).header("User-Agent", "access-log-probe/1").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        await().atMost(ChatClient.WAIT).until(() -> LINES.stream().anyMatch(l -> l.contains("access-log-probe/1")));
        JsonNode access = LINES.stream().filter(l -> l.contains("access-log-probe/1")).map(LogLinesTest::json)
                .findFirst().orElseThrow();
        assertThat(access.path("logger").asText()).startsWith("io.helidon.webserver.AccessLog");
        assertThat(access.path("message").asText()).contains("\"GET / HTTP/1.1\" 200");
    }

    private static JsonNode line(String event, String session) {
        return LINES.stream().map(LogLinesTest::json)
                .filter(n -> event.equals(n.path("event").asText()) && session.equals(n.path("session").asText()))
                .findFirst().orElse(null);
    }

    private static JsonNode json(String line) {
        try {
            return ChatClient.JSON.readTree(line);
        } catch (Exception e) {
            throw new IllegalStateException(line, e);
        }
    }
}
