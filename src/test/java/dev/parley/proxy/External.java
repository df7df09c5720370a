package dev.parley.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * Finds an external program (nginx, caddy) the proxy tests run. A developer without it gets a
 * skipped test with the reason; CI sets {@code -Dparley.requireExternal=true}, and there a missing
 * program fails the run, so a broken install step cannot turn the suite green by skipping.
 */
public final class External {
    private External() {
    }

    public static Path require(String program, String installHint) {
        List<Path> dirs = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!d.isBlank()) {
                dirs.add(Path.of(d));
            }
        }
        // Debian puts nginx in /usr/sbin, which is not on a normal user's PATH.
        dirs.add(Path.of("/usr/sbin"));
        dirs.add(Path.of("/usr/local/sbin"));
        for (Path d : dirs) {
            Path p = d.resolve(program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String reason = program + " is not installed (" + installHint + ")";
        if (Boolean.getBoolean("parley.requireExternal")) {
            throw new AssertionError(reason + ", and parley.requireExternal=true");
        }
        Assumptions.abort(reason + "; skipping. Set -Dparley.requireExternal=true to make this a failure.");
        throw new IllegalStateException("unreachable");
    }

    /** Runs {@code program args} to completion and returns its output (for version checks). */
    static String output(Path program, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(program.toString());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        } catch (IOException e) {
            throw new AssertionError("could not run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
