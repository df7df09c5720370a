package dev.parley.bench.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * The result of one run: a human table, then the same figures as one flat JSON line (numbers
 * and strings only), which {@code run-load.sh} collects and {@link Summarize} aggregates.
 */
final class Report {

    private record Entry(String key, Object value, String label) {
    }

    private final List<Entry> entries = new ArrayList<>();

    /** A figure with a JSON key and a label for people; a null label keeps it out of the table. */
    Report put(String key, Object value, String label) {
        entries.add(new Entry(key, value, label));
        return this;
    }

    Report put(String key, Object value) {
        return put(key, value, null);
    }

    /** p50, p90, p99 and max of a microsecond histogram, in milliseconds. */
    Report latency(String prefix, Histogram micros, String label) {
        boolean empty = micros.getTotalCount() == 0;
        put(prefix + "_p50_ms", empty ? -1 : ms(micros.getValueAtPercentile(50)));
        put(prefix + "_p90_ms", empty ? -1 : ms(micros.getValueAtPercentile(90)));
        put(prefix + "_p99_ms", empty ? -1 : ms(micros.getValueAtPercentile(99)));
        put(prefix + "_max_ms", empty ? -1 : ms(micros.getMaxValue()));
        String text = empty ? "-" : String.format(Locale.ROOT, "p50 %s  p90 %s  p99 %s  max %s ms",
                fmt(ms(micros.getValueAtPercentile(50))), fmt(ms(micros.getValueAtPercentile(90))),
                fmt(ms(micros.getValueAtPercentile(99))), fmt(ms(micros.getMaxValue())));
        entries.add(new Entry(null, text, label));
        return this;
    }

    static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    /** "code:count,code:count" of a map, "" if empty: keeps the JSON line flat. */
    static String counts(Map<?, Integer> m) {
        return m.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    void print(PrintStream out) {
        int width = entries.stream().filter(e -> e.label != null).mapToInt(e -> e.label.length()).max().orElse(10);
        for (Entry e : entries) {
            if (e.label != null) {
                String v = e.value instanceof Double d ? fmt(d) : String.valueOf(e.value);
                out.printf(Locale.ROOT, "  %-" + width + "s  %s%n", e.label, v.isEmpty() ? "-" : v);
            }
        }
        out.println(json());
    }

    String json() {
        StringBuilder sb = new StringBuilder("{");
        for (Entry e : entries) {
            if (e.key == null) {
                continue;
            }
            if (sb.length() > 1) {
                sb.append(',');
            }
            quote(sb, e.key).append(':');
            if (e.value instanceof Number n) {
                sb.append(n instanceof Double d ? fmt(d) : n.toString());
            } else {
                quote(sb, String.valueOf(e.value));
            }
        }
        return sb.append('}').toString();
    }

    static String fmt(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "-1";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "");
    }

    private static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }
}
