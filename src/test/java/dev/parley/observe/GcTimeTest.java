package dev.parley.observe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's "GC time / s" panel, evaluated on two real scrapes around a forced GC: its
 * metric must exist and its rate must be above zero (Helidon's gc_time_seconds_total stays at 0).
 */
class GcTimeTest {
    private static final Path DASHBOARD = Path.of("charts/parley/dashboards/parley.json");
    private static ParleyServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void dashboardGcQueryIsAboveZeroAfterAForcedGc() throws Exception {
        String expr = gcPanelQuery();
        Matcher m = Pattern.compile("rate\\((\\w+)\\{").matcher(expr);
        assertThat(m.find()).as("a rate() in %s", expr).isTrue();
        String metric = m.group(1);
        assertThat(expr).endsWith("/ 1000"); // milliseconds per second -> fraction of wall time

        Scrape before = Scrape.of(server);
        assertThat(before.has(metric)).as("%s is exported", metric).isTrue();
        long start = System.nanoTime();
        Scrape after = await().atMost(Duration.ofSeconds(30)).until(() -> {
            churn();
            System.gc();
            return Scrape.of(server);
        }, s -> sum(s, metric) > sum(before, metric));
        double seconds = (System.nanoTime() - start) / 1e9;
        double panelValue = (sum(after, metric) - sum(before, metric)) / seconds / 1000;
        assertThat(panelValue).isGreaterThan(0);
    }

    private static double sum(Scrape s, String metric) {
        return s.samples().entrySet().stream()
                .filter(e -> e.getKey().equals(metric) || e.getKey().startsWith(metric + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** Garbage worth collecting, so the forced collection has work that takes measurable time. */
    private static void churn() {
        Object[] keep = new Object[20_000];
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < keep.length; i++) {
                keep[i] = new byte[256];
            }
        }
        assertThat(keep[keep.length - 1]).isNotNull();
    }

    private static String gcPanelQuery() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("title").asText().equals("GC time / s")) {
                return panel.path("targets").get(0).path("expr").asText();
            }
        }
        throw new AssertionError("no \"GC time / s\" panel in " + DASHBOARD);
    }
}
