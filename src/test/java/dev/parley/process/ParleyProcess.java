package dev.parley.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** target/parley.jar started the way the README starts it, as a separate process on a free port. */
final class ParleyProcess implements AutoCloseable {
    private static final Pattern URL = Pattern.compile("Open http://[^:]+:(\\d+)/");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final int port;

    private ParleyProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ParleyProcess start(String... properties) throws IOException {
        Path jar = Path.of(System.getProperty("parley.jar", "target/parley.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run `./parley test` (mvn verify), which packages first");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dserver.port=0");
        cmd.add("-Dserver.host=127.0.0.1");
        cmd.addAll(List.of(properties));
        cmd.add("-jar");
        cmd.add(jar.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                    Matcher m = URL.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IllegalStateException("Parley exited before printing its URL: " + lines));
        });
        ParleyProcess pp = new ParleyProcess(p, port.orTimeout(30, TimeUnit.SECONDS).join());
        pp.output.addAll(lines);
        return pp;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, as a service manager or Kubernetes sends it. */
    void terminate() {
        process.destroy();
    }

    int awaitExit(Duration max) throws InterruptedException {
        if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("Parley did not exit within " + max);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
