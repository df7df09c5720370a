package dev.parley.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One run of a proxy binary in the foreground, its output in a log file (shown when it fails to
 * come up), stoppable and startable again on the same port for the restart test. Public for the
 * browser tests that put nginx in front of the page.
 */
public final class ProxyProcess implements AutoCloseable {
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path log;
    private final int port;
    private Process process;

    public ProxyProcess(List<String> command, Map<String, String> environment, Path log, int port) {
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = log;
        this.port = port;
    }

    /** Starts the process and waits (bounded) until it accepts connections on its port. */
    public ProxyProcess start() {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(environment);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .alias(command.get(0) + " listening on " + port)
                .failFast(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(command.get(0) + " exited with " + process.exitValue() + ":\n" + logText());
                    }
                })
                .until(this::accepting);
        return this;
    }

    /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process = null;
        await().atMost(Duration.ofSeconds(10)).alias("port " + port + " released").until(() -> !accepting());
    }

    public int port() {
        return port;
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no output)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private boolean accepting() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
