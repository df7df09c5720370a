package dev.parley.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Aggregates the JSON summary lines of repeated runs: for every numeric figure, the median and
 * the range (min..max), which is how this project reports every benchmark figure.
 */
final class Summarize {

    private Summarize() {
    }

    static void main(List<String> files, PrintStream out) throws IOException {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (String f : files) {
            for (String line : Files.readAllLines(Path.of(f))) {
                if (line.startsWith("{")) {
                    runs.add(parseFlat(line));
                }
            }
        }
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no JSON summary lines in " + files);
        }
        Set<String> keys = new LinkedHashSet<>();
        runs.forEach(r -> keys.addAll(r.keySet()));
        Map<String, Object> json = new LinkedHashMap<>();
        out.printf(Locale.ROOT, "%d runs%n  %-30s %12s   %s%n", runs.size(), "figure", "median", "range (min .. max)");
        for (String key : keys) {
            List<Double> numbers = new ArrayList<>();
            Set<String> texts = new LinkedHashSet<>();
            for (Map<String, Object> r : runs) {
                Object v = r.get(key);
                if (v instanceof Double d) {
                    numbers.add(d);
                } else if (v != null) {
                    texts.add(v.toString());
                }
            }
            if (!numbers.isEmpty()) {
                numbers.sort(Double::compare);
                int m = numbers.size();
                double median = m % 2 == 1 ? numbers.get(m / 2) : (numbers.get(m / 2 - 1) + numbers.get(m / 2)) / 2;
                double min = numbers.get(0);
                double max = numbers.get(m - 1);
                out.printf(Locale.ROOT, "  %-30s %12s   %s .. %s%n", key, Report.fmt(median), Report.fmt(min),
                        Report.fmt(max));
                json.put(key, "{\"median\":" + Report.fmt(median) + ",\"min\":" + Report.fmt(min) + ",\"max\":"
                        + Report.fmt(max) + ",\"n\":" + m + "}");
            } else {
                String joined = String.join(" | ", texts);
                out.printf(Locale.ROOT, "  %-30s %s%n", key, joined.isEmpty() ? "-" : joined);
            }
        }
        StringBuilder sb = new StringBuilder("{\"runs\":").append(runs.size());
        json.forEach((k, v) -> sb.append(",\"").append(k).append("\":").append(v));
        out.println(sb.append('}'));
    }

    /** Parses one flat JSON object of strings, numbers, booleans and nulls (what Report writes). */
    static Map<String, Object> parseFlat(String s) {
        Map<String, Object> m = new LinkedHashMap<>();
        int[] at = {1};
        skipSpace(s, at);
        if (s.charAt(at[0]) == '}') {
            return m;
        }
        while (true) {
            skipSpace(s, at);
            String key = string(s, at);
            skipSpace(s, at);
            expect(s, at, ':');
            skipSpace(s, at);
            char c = s.charAt(at[0]);
            Object value;
            if (c == '"') {
                value = string(s, at);
            } else {
                int start = at[0];
                while (at[0] < s.length() && ",} ".indexOf(s.charAt(at[0])) < 0) {
                    at[0]++;
                }
                String token = s.substring(start, at[0]);
                value = switch (token) {
                    case "true", "false" -> token;
                    case "null" -> null;
                    default -> Double.parseDouble(token);
                };
            }
            m.put(key, value);
            skipSpace(s, at);
            char next = s.charAt(at[0]++);
            if (next == '}') {
                return m;
            }
            if (next != ',') {
                throw new IllegalArgumentException("expected , or } at " + (at[0] - 1) + " in " + s);
            }
        }
    }

    private static String string(String s, int[] at) {
        expect(s, at, '"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = s.charAt(at[0]++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\') {
                char e = s.charAt(at[0]++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(at[0], at[0] + 4), 16));
                        at[0] += 4;
                    }
                    default -> sb.append(e);
                }
            } else {
                sb.append(c);
            }
        }
    }

    private static void expect(String s, int[] at, char c) {
        if (s.charAt(at[0]) != c) {
            throw new IllegalArgumentException("expected " + c + " at " + at[0] + " in " + s);
        }
        at[0]++;
    }

    private static void skipSpace(String s, int[] at) {
        while (at[0] < s.length() && Character.isWhitespace(s.charAt(at[0]))) {
            at[0]++;
        }
    }
}
