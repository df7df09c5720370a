package dev.parley.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} on a free loopback port, in a directory of its own, started and
 * stopped by the test. A developer without Redis gets a skipped test with the reason; CI sets
 * {@code -Dparley.requireExternal=true}, and there a missing binary fails the run.
 */
public final class RedisServer implements AutoCloseable {
    private final Path binary;
    private final Path dir;
    private final int port;
    private final List<String> extra;
    private Process process;

    private RedisServer(Path binary, Path dir, int port, List<String> extra) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.extra = extra;
    }

    /** Starts a server with an append-only file, so a restart keeps what was written. */
    public static RedisServer start(String... extraArgs) {
        Path binary = require("redis-server");
        try {
            RedisServer r = new RedisServer(binary, Files.createTempDirectory("parley-redis"), freePort(), List.of(extraArgs));
            r.launch();
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server at once (SIGKILL): nothing is flushed beyond what the AOF already holds. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the server again on the same port and directory (it reloads its AOF). */
    public void restart() {
        launch();
    }

    /** Runs one command with {@code redis-cli} and returns its output. */
    public String cli(String... args) {
        List<String> cmd = new ArrayList<>(List.of(require("redis-cli").toString(), "-h", "127.0.0.1", "-p",
                                                   Integer.toString(port)));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    @Override
    public void close() {
        if (process != null) {
            kill();
        }
    }

    private void launch() {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "yes",
                "--appendfsync", "always", "--protected-mode", "no", "--daemonize", "no"));
        cmd.addAll(extra);
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("could not start " + cmd, e);
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .alias("redis-server on port " + port + " answers PING")
                .until(this::answersPing);
    }

    private boolean answersPing() {
        if (!process.isAlive()) {
            throw new AssertionError("redis-server exited: " + log());
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16];
            int n = in.read(buf);
            // A server still loading its AOF answers -LOADING.
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** A free loopback port (the kernel's choice, released for the server to take). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public static Path require(String program) {
        for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/usr/local/bin:/usr/sbin").split(":")) {
            if (!d.isBlank() && Files.isExecutable(Path.of(d, program))) {
                return Path.of(d, program);
            }
        }
        String reason = program + " is not installed (apt-get install redis-server)";
        if (Boolean.getBoolean("parley.requireExternal")) {
            throw new AssertionError(reason + ", and parley.requireExternal=true");
        }
        Assumptions.abort(reason + "; skipping. Set -Dparley.requireExternal=true to make this a failure.");
        throw new IllegalStateException("unreachable");
    }

    static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + cmd);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("could not run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
