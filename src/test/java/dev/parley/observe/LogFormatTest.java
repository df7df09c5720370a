package dev.parley.observe;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.support.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;

/** The two log formats, line by line. */
class LogFormatTest {

    @AfterEach
    void clearContext() {
        LogContext.set(null);
    }

    @Test
    void plainLineEndsWithFieldsAndTheConnectionsIds() {
        LogContext.set(new LogContext.Ids("s-1", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"));
        String line = new PlainLogFormatter().format(record("websocket closed",
                                                            LogFields.of("code", 1006, "reason", "connection lost",
                                                                         "absent", null)));
        assertThat(line).contains(" INFO dev.parley.connection: websocket closed code=1006 reason=\"connection lost\""
                                  + " session=s-1 trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7")
                .doesNotContain("absent")
                .endsWith(System.lineSeparator());
    }

    @Test
    void plainQuotesWhatWouldBreakTheLine() {
        String line = new PlainLogFormatter().format(record("m", LogFields.of("ua", "a \"b\"\nc")));
        assertThat(line.strip()).endsWith("ua=\"a \\\"b\\\" c\"").doesNotContain("\n");
    }

    @Test
    void plainWithoutConnectionHasNoIds() {
        assertThat(new PlainLogFormatter().format(record("started", null))).doesNotContain("session=");
    }

    @Test
    void jsonIsOneObjectPerLineWithTypedFields() throws Exception {
        LogContext.set(new LogContext.Ids("s-2", null, null));
        LogRecord r = record("websocket closed", LogFields.of("code", 1000, "by", "client", "message", "shadow"));
        r.setThrown(new IllegalStateException("boom"));
        String line = new JsonLogFormatter().format(r);
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode n = ChatClient.JSON.readTree(line);
        assertThat(n.path("ts").asText()).isEqualTo("2026-01-02T03:04:05.006Z");
        assertThat(n.path("level").asText()).isEqualTo("INFO");
        assertThat(n.path("logger").asText()).isEqualTo("dev.parley.connection");
        assertThat(n.path("message").asText()).isEqualTo("websocket closed");
        assertThat(n.path("event.message").asText()).isEqualTo("shadow");
        assertThat(n.path("code").isInt()).isTrue();
        assertThat(n.path("session").asText()).isEqualTo("s-2");
        assertThat(n.has("trace_id")).isFalse();
        assertThat(n.path("exception").asText()).contains("IllegalStateException: boom");
    }

    @Test
    void contextIsInheritedByThreadsStartedLater() throws Exception {
        LogContext.Ids ids = new LogContext.Ids("s-3", null, null);
        LogContext.set(ids);
        LogContext.Ids[] seen = new LogContext.Ids[1];
        Thread.ofVirtual().start(() -> seen[0] = LogContext.current()).join();
        assertThat(seen[0]).isEqualTo(ids);
    }

    @Test
    void platformThreadsDoNotInheritAConnection() throws Exception {
        LogContext.set(new LogContext.Ids("s-4", null, null));
        LogContext.Ids[] seen = {new LogContext.Ids("unset", null, null)};
        Thread.ofPlatform().start(() -> seen[0] = LogContext.current()).join();
        assertThat(seen[0]).isNull();
    }

    private static LogRecord record(String message, LogFields fields) {
        LogRecord r = new LogRecord(Level.INFO, message);
        r.setLoggerName("dev.parley.connection");
        r.setInstant(Instant.parse("2026-01-02T03:04:05.006Z"));
        if (fields != null) {
            r.setParameters(new Object[] {fields});
        }
        return r;
    }
}
