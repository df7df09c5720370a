package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The command line as a user types it: help is an answer, a wrong option an error. */
class LoadMainTest {

    @Test
    void helpPrintsUsageOnStdoutAndExitsZero() throws Exception {
        for (String flag : List.of("--help", "-h", "help")) {
            Result r = run(flag);
            assertEquals(0, r.exit, "exit code of " + flag);
            assertTrue(r.stdout.contains("usage: java -jar parley-load.jar"), "stdout of " + flag + ": " + r.stdout);
            assertTrue(r.stdout.contains("rooms:") && r.stdout.contains("joinstorm:"), "every mode's options: " + r.stdout);
            assertEquals("", r.stderr, "stderr of " + flag);
        }
    }

    @Test
    void unknownOptionIsAnErrorWithUsageOnStderr() throws Exception {
        Result r = run("--no-such-option", "1");
        assertEquals(2, r.exit);
        assertTrue(r.stderr.contains("unknown option --no-such-option") && r.stderr.contains("usage:"), r.stderr);
    }

    @Test
    void aModesBadOptionIsAnErrorThatSaysWhy() throws Exception {
        Result r = run("--mode", "rooms", "--members", "0");
        assertEquals(2, r.exit);
        assertTrue(r.stderr.contains("members >= 1") && r.stderr.contains("usage:"), r.stderr);
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LoadMain.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
