package dev.parley.bench.jmh;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Turns a JMH JSON result file ({@code -rf json}) into the table the project reports: for every
 * benchmark, parameter set and metric, the median over all measured iterations of all forks with
 * its range, and its ratio to the first variant of the same run.
 *
 * <p>The variant of a row is its {@code variant} parameter when it has one (the other parameters
 * and the method then identify the comparison); otherwise its method, compared with the other
 * methods of its class at the same parameters. Ratios are of medians measured in one run, side by
 * side; in throughput modes higher is better, in time modes lower.
 *
 * <p>Usage: {@code java -cp parley-jmh.jar dev.parley.bench.jmh.JmhSummary jmh.json}
 */
public final class JmhSummary {

    record Row(String clazz, String method, String metric, Map<String, String> params, String unit,
               double median, double min, double max, int samples) {

        String variant() {
            return params.getOrDefault("variant", method);
        }

        /** What the row is compared with: everything but its variant. */
        String comparisonKey() {
            Map<String, String> rest = new TreeMap<>(params);
            rest.remove("variant");
            boolean byMethod = !params.containsKey("variant");
            return clazz + "|" + (byMethod ? "" : method) + "|" + (byMethod && metric.equals(method) ? "" : metric)
                   + "|" + rest;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JmhSummary jmh-result.json");
            System.exit(2);
        }
        List<Row> rows = read(new ObjectMapper().readTree(new File(args[0])));
        Map<String, Row> baseline = new LinkedHashMap<>();
        for (Row r : rows) {
            baseline.putIfAbsent(r.comparisonKey(), r);
        }
        System.out.println("| benchmark | params | variant | metric | median | range (min–max) | n | × first variant |");
        System.out.println("|---|---|---|---|---:|---:|---:|---:|");
        for (Row r : rows) {
            Map<String, String> rest = new TreeMap<>(r.params());
            rest.remove("variant");
            Row base = baseline.get(r.comparisonKey());
            String ratio = base == r ? "1" : fmt(r.median() / base.median());
            System.out.printf(Locale.ROOT, "| %s.%s | %s | %s | %s | %s %s | %s–%s | %d | %s |%n",
                              r.clazz(), r.params().containsKey("variant") ? r.method() : "*",
                              rest.isEmpty() ? "" : rest.toString().replaceAll("[{}]", ""), r.variant(),
                              r.metric(), fmt(r.median()), r.unit(), fmt(r.min()), fmt(r.max()), r.samples(), ratio);
        }
    }

    static List<Row> read(JsonNode results) {
        List<Row> rows = new ArrayList<>();
        for (JsonNode b : results) {
            String[] name = b.get("benchmark").asText().split("\\.");
            String clazz = name[name.length - 2];
            String method = name[name.length - 1];
            Map<String, String> params = new LinkedHashMap<>();
            if (b.has("params")) {
                b.get("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            }
            // A group's primary metric adds up its different methods: only its parts (secondary
            // metrics named after its methods and counters, unlike profilers' dotted names) mean something.
            boolean group = false;
            if (b.has("secondaryMetrics")) {
                for (var names = b.get("secondaryMetrics").fieldNames(); names.hasNext(); ) {
                    group |= !names.next().contains(".");
                }
            }
            if (!group) {
                rows.add(row(clazz, method, method, params, b.get("primaryMetric")));
            }
            if (b.has("secondaryMetrics")) {
                b.get("secondaryMetrics").fields().forEachRemaining(
                        e -> rows.add(row(clazz, method, e.getKey(), params, e.getValue())));
            }
        }
        return rows;
    }

    private static Row row(String clazz, String method, String metric, Map<String, String> params, JsonNode m) {
        List<Double> all = new ArrayList<>();
        for (JsonNode fork : m.get("rawData")) {
            for (JsonNode v : fork) {
                all.add(v.asDouble());
            }
        }
        double[] v = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Row(clazz, method, metric, params, m.get("scoreUnit").asText(), median(v),
                       v.length == 0 ? Double.NaN : v[0], v.length == 0 ? Double.NaN : v[v.length - 1], v.length);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Three significant digits, no exponent: 0.0123, 1.23, 123, 12300. */
    static String fmt(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return String.valueOf(x);
        }
        double a = Math.abs(x);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", x);
        }
        int decimals = a >= 10 ? 1 : a >= 1 ? 2 : a == 0 ? 0 : Math.min(6, 2 - (int) Math.floor(Math.log10(a)));
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }

    private JmhSummary() {
    }
}
