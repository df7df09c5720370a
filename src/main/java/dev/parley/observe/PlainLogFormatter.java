package dev.parley.observe;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * The default log format: one line per event,
 * {@code 2026-11-28T05:19:14.650 INFO logger: message key=value ... session=.. trace_id=.. span_id=..}.
 * Event fields and the connection's ids come last, as {@code key=value}, so lines stay readable
 * and still grep well. A stack trace, when there is one, follows on the next lines.
 */
public final class PlainLogFormatter extends Formatter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    @Override
    public String format(LogRecord record) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(TIME.format(record.getInstant())).append(' ')
                .append(record.getLevel().getName()).append(' ')
                .append(record.getLoggerName()).append(": ")
                .append(formatMessage(record));
        LogFields fields = LogFields.in(record.getParameters());
        if (fields != null) {
            fields.values().forEach((k, v) -> appendField(sb, k, v));
        }
        LogContext.Ids ids = LogContext.current();
        if (ids != null) {
            appendField(sb, "session", ids.session());
            appendField(sb, "trace_id", ids.traceId());
            appendField(sb, "span_id", ids.spanId());
        }
        sb.append(System.lineSeparator());
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            sb.append(trace);
        }
        return sb.toString();
    }

    static void appendField(StringBuilder sb, String key, Object value) {
        if (value == null) {
            return;
        }
        String v = String.valueOf(value);
        sb.append(' ').append(key).append('=');
        if (v.isEmpty() || v.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            sb.append('"');
            v.chars().forEach(c -> {
                if (c == '"' || c == '\\') {
                    sb.append('\\').append((char) c);
                } else if (c < 0x20) {
                    sb.append(' ');
                } else {
                    sb.append((char) c);
                }
            });
            sb.append('"');
        } else {
            sb.append(v);
        }
    }
}
