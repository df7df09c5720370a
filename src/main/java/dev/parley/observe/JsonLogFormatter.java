package dev.parley.observe;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * {@code logging.format=json}: one JSON object per line, for log shippers. Fields: {@code ts}
 * (ISO-8601, UTC), {@code level}, {@code logger}, {@code thread}, {@code message}, the event's
 * own fields, {@code session}, {@code trace_id}, {@code span_id} (for lines about a connection)
 * and {@code exception} (the stack trace, as one string).
 */
public final class JsonLogFormatter extends Formatter {
    // No per-thread buffer cache: with a virtual thread per connection it would live as long as each connection.
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.USE_THREAD_LOCAL_FOR_BUFFER_RECYCLING)
            .build();
    private static final java.util.Set<String> RESERVED =
            java.util.Set.of("ts", "level", "logger", "thread", "message", "session", "trace_id", "span_id", "exception");

    @Override
    public String format(LogRecord record) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("ts", record.getInstant().toString());
            g.writeStringField("level", record.getLevel().getName());
            g.writeStringField("logger", record.getLoggerName());
            String thread = Thread.currentThread().getName();
            if (!thread.isEmpty()) {
                g.writeStringField("thread", thread);
            }
            g.writeStringField("message", formatMessage(record));
            LogFields fields = LogFields.in(record.getParameters());
            if (fields != null) {
                for (Map.Entry<String, Object> e : fields.values().entrySet()) {
                    // an event field never shadows a standard one
                    String name = RESERVED.contains(e.getKey()) ? "event." + e.getKey() : e.getKey();
                    write(g, name, e.getValue());
                }
            }
            LogContext.Ids ids = LogContext.current();
            if (ids != null) {
                write(g, "session", ids.session());
                write(g, "trace_id", ids.traceId());
                write(g, "span_id", ids.spanId());
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                g.writeStringField("exception", trace.toString());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append(System.lineSeparator()).toString();
    }

    private static void write(JsonGenerator g, String name, Object value) throws IOException {
        switch (value) {
            case null -> { }
            case Integer i -> g.writeNumberField(name, i);
            case Long l -> g.writeNumberField(name, l);
            case Double d -> g.writeNumberField(name, d);
            case Boolean b -> g.writeBooleanField(name, b);
            default -> g.writeStringField(name, String.valueOf(value));
        }
    }
}
