package dev.parley.observe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named values of one log event, passed as the log call's only parameter. The JSON format writes
 * them as top-level fields; the plain format appends them as {@code key=value}. Null values are
 * left out.
 */
public record LogFields(Map<String, Object> values) {

    public static LogFields of(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                m.put((String) keyValues[i], keyValues[i + 1]);
            }
        }
        return new LogFields(Collections.unmodifiableMap(m));
    }

    /** The fields of a log record, if it was logged with a LogFields parameter. */
    static LogFields in(Object[] parameters) {
        if (parameters != null) {
            for (Object p : parameters) {
                if (p instanceof LogFields f) {
                    return f;
                }
            }
        }
        return null;
    }

    /** {@code key=value ...}, values with spaces or quotes quoted. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> PlainLogFormatter.appendField(sb, k, v));
        return sb.toString().trim();
    }
}
