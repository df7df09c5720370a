package dev.parley.observe;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import dev.parley.ParleyServer;
import dev.parley.support.TestServer;

/**
 * One scrape of {@code /observe/metrics} in Prometheus text format. Series are keyed by name and
 * their labels other than Helidon's {@code scope}, so tests name them as a dashboard would.
 */
record Scrape(Map<String, Double> samples) {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static Scrape of(ParleyServer server) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(TestServer.admin(server, "/observe/metrics"))
                                                       .header("Accept", "text/plain").build(),
                                               HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("metrics endpoint answered " + r.statusCode());
            }
            return parse(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Scrape parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            double value = Double.parseDouble(line.substring(space + 1));
            String name = series;
            Map<String, String> labels = new TreeMap<>();
            int brace = series.indexOf('{');
            if (brace >= 0) {
                name = series.substring(0, brace);
                for (String pair : series.substring(brace + 1, series.lastIndexOf('}')).split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                    }
                }
            }
            labels.remove("scope");
            samples.put(key(name, labels), value);
        }
        return new Scrape(samples);
    }

    /** The sample's value, 0 when absent; {@code labels} as name, value pairs. */
    double value(String name, String... labels) {
        Map<String, String> l = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        return samples.getOrDefault(key(name, l), 0.0);
    }

    boolean has(String name) {
        return samples.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
    }

    /** How much a sample grew since {@code before}. */
    double delta(Scrape before, String name, String... labels) {
        return value(name, labels) - before.value(name, labels);
    }

    private static String key(String name, Map<String, String> labels) {
        return labels.isEmpty() ? name : name + labels;
    }
}
