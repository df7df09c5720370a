package dev.parley.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's Caddyfile in front of Parley, configured only through its environment
 * variables: an http:// site address (which turns automatic HTTPS off), the upstream, and no
 * admin endpoint (so parallel runs cannot collide on port 2019).
 *
 * <p>One exception: Caddy before 2.7 does not know {@code stream_close_delay} (Debian 12 ships
 * 2.6.2), so on such a Caddy the test deletes that line, the one that only matters on reload.
 *
 * <p>No read-timeout test here: Caddy sets no idle timeout on a proxied WebSocket.
 */
class CaddyProxyTest extends ProxyContract {
    private static final Path SHIPPED = Path.of("Caddyfile");

    @Override
    void requireBinary() {
        External.require("caddy", "apt-get install caddy");
    }

    @Override
    ProxyProcess proxy(Path workDir, int listenPort, int upstreamPort) {
        try {
            Files.createDirectories(workDir);
            Path caddy = External.require("caddy", "apt-get install caddy");
            String file = Files.readString(SHIPPED);
            if (!supportsStreamCloseDelay(External.output(caddy, "version"))) {
                file = file.lines().filter(l -> !l.trim().startsWith("stream_close_delay"))
                        .collect(Collectors.joining("\n", "", "\n"));
            }
            Path caddyfile = workDir.resolve("Caddyfile");
            Files.writeString(caddyfile, file);
            Map<String, String> env = Map.of(
                    "PARLEY_DOMAIN", "http://127.0.0.1:" + listenPort,
                    "PARLEY_UPSTREAM", "127.0.0.1:" + upstreamPort,
                    "PARLEY_ADMIN_PORT", String.valueOf(parley.adminPort()),
                    "PARLEY_CADDY_ADMIN", "off",
                    // Caddy keeps state (autosave.json, certificates) under these; not in ~.
                    "HOME", workDir.toString(),
                    "XDG_CONFIG_HOME", workDir.resolve("config").toString(),
                    "XDG_DATA_HOME", workDir.resolve("data").toString());
            return new ProxyProcess(List.of(caddy.toString(), "run", "--config", caddyfile.toString(), "--adapter", "caddyfile"),
                                    env, workDir.resolve("output.log"), listenPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** stream_close_delay arrived in Caddy 2.7. */
    /**
     * The Caddyfile's active health check asks for readiness on Parley's admin port (the public
     * port answers it 404): Parley's access log shows the check answered 200.
     */
    @Test
    void theHealthCheckReachesReadinessOnTheAdminPort() {
        Logger accessLog = Logger.getLogger("io.helidon.webserver.AccessLog");
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(String.valueOf(r.getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        accessLog.addHandler(h);
        try {
            // health_interval is 5 s in the shipped file.
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(lines).anyMatch(l -> l.contains("GET /observe/health/ready") && l.contains(" 200 ")));
        } finally {
            accessLog.removeHandler(h);
        }
    }

    static boolean supportsStreamCloseDelay(String version) {
        Matcher m = Pattern.compile("v?(\\d+)\\.(\\d+)").matcher(version);
        if (!m.find()) {
            throw new AssertionError("cannot read a version from `caddy version`: " + version);
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        return major > 2 || (major == 2 && minor >= 7);
    }
}
