package dev.parley.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** target/parley.jar started the way the README starts it, as a separate process on a free port. */
final class ParleyProcess implements AutoCloseable {
    private static final Pattern URL = Pattern.compile("Open http://[^:]+:(\\d+)/");
    private static final Pattern ADMIN = Pattern.compile("admin: http://[^:]+:(\\d+)/");

    private final Process process;
    private final Path log;
    private int port;
    private int adminPort;

    private ParleyProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
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
        cmd.add("-Dparley.admin.port=0");
        cmd.add("-Dparley.admin.host=127.0.0.1");
        cmd.addAll(List.of(properties));
        cmd.add("-jar");
        cmd.add(jar.toString());
        // The log goes to a file under target/: kept for a look after a failure, and read without pipes.
        Path log = Files.createTempFile(jar.getParent(), "parley-process-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ParleyProcess pp = new ParleyProcess(p, log);
        pp.port = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .alias("Parley's start-up line in " + log)
                .until(() -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("Parley exited at start: " + pp.output());
                    }
                    return pp.output().stream().map(URL::matcher).filter(Matcher::find)
                            .map(m -> Integer.parseInt(m.group(1))).findFirst().orElse(0);
                }, port -> port > 0);
        pp.adminPort = pp.output().stream().map(ADMIN::matcher).filter(Matcher::find)
                .map(m -> Integer.parseInt(m.group(1))).findFirst().orElseThrow();
        return pp;
    }

    /** Everything the process printed so far (stdout and stderr). */
    List<String> output() {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    int adminPort() {
        return adminPort;
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
