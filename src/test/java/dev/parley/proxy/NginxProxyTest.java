package dev.parley.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The repository's nginx.conf in front of Parley. The file runs as shipped except for the tokens
 * its header names: listen address, upstream address, host paths (into the test's directory),
 * and proxy_read_timeout, cut from 75 s to {@link #READ_TIMEOUT} so the heartbeat test takes
 * seconds. Parley's heartbeat is 0.5 s here (production: 25 s against 75 s; the ratio is what
 * matters: several heartbeats per timeout).
 */
class NginxProxyTest extends ProxyContract {
    static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    private static final Path SHIPPED = Path.of("nginx.conf");

    @Override
    void requireBinary() {
        External.require("nginx", "apt-get install nginx");
    }

    @Override
    ProxyProcess proxy(Path workDir, int listenPort, int upstreamPort) {
        try {
            Files.createDirectories(workDir);
            String conf = Files.readString(SHIPPED);
            conf = replaceOnce(conf, "listen 80;", "listen 127.0.0.1:" + listenPort + ";");
            conf = replaceOnce(conf, "server 127.0.0.1:8080;", "server 127.0.0.1:" + upstreamPort + ";");
            conf = replaceOnce(conf, "proxy_read_timeout 75s;", "proxy_read_timeout " + READ_TIMEOUT.toSeconds() + "s;");
            conf = replaceOnce(conf, "pid /run/nginx.pid;", "pid " + workDir.resolve("nginx.pid") + ";");
            conf = replaceAll(conf, "/var/log/nginx/", workDir + "/");
            conf = replaceAll(conf, "/var/lib/nginx/", workDir + "/");
            Path file = workDir.resolve("nginx.conf");
            Files.writeString(file, conf);
            Path nginx = External.require("nginx", "apt-get install nginx");
            // -e: where nginx logs before it has read the file; daemon off: stay our child.
            return new ProxyProcess(List.of(nginx.toString(), "-c", file.toString(), "-e", workDir.resolve("startup.log").toString(),
                                            "-g", "daemon off;"),
                                    Map.of(), workDir.resolve("output.log"), listenPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parley pings every 0.5 s and the client answers: the tunnel is never silent for 2 s. */
    @Test
    void anIdleChatOutlivesTheReadTimeoutThanksToHeartbeats() {
        String room = "idle-but-alive";
        try (ChatClient idle = ChatClient.open(viaProxy(), CLIENT)) {
            idle.join(room, "idle");
            Duration idleFor = READ_TIMEOUT.multipliedBy(3);
            await().during(idleFor).atMost(idleFor.plusSeconds(2)).alias("connection open while idle")
                    .until(() -> !idle.isClosed());
            assertThat(idle.sayAndAwaitAck(room, "still here")).isPositive();
        }
    }

    /**
     * The control for the test above: the same nginx in front of a Parley whose heartbeat (30 s)
     * exceeds the read timeout cuts an idle chat after about {@link #READ_TIMEOUT}. Without it the
     * heartbeat test would also pass if the timeout rewrite had silently stopped working.
     */
    @Test
    void withoutHeartbeatsWithinTheReadTimeoutNginxCutsAnIdleChat() {
        ParleyServer quiet = startParley(Map.of("parley.heartbeat", "PT30S", "parley.idle-timeout", "PT60S"));
        closeLater(quiet::stop);
        ProxyProcess nginx = closeLater(proxy(dir.resolve("quiet-proxy"), freePort(), quiet.port()).start());
        try (ChatClient idle = ChatClient.open(viaProxy(nginx), CLIENT)) {
            idle.join("idle-and-cut", "idle");
            long start = System.nanoTime();
            idle.awaitClose(); // bounded by ChatClient.WAIT
            Duration lived = Duration.ofNanos(System.nanoTime() - start);
            assertThat(lived).isGreaterThanOrEqualTo(READ_TIMEOUT.minusMillis(500));
        }
    }

    private static String replaceOnce(String text, String token, String replacement) {
        int at = text.indexOf(token);
        assertThat(at).as("nginx.conf must contain '%s' exactly once (the test rewrites it)", token).isNotNegative();
        assertThat(text.indexOf(token, at + 1)).as("'%s' occurs more than once in nginx.conf", token).isNegative();
        return text.replace(token, replacement);
    }

    private static String replaceAll(String text, String token, String replacement) {
        assertThat(text).as("nginx.conf paths under %s", token).contains(token);
        return text.replace(token, replacement);
    }
}
