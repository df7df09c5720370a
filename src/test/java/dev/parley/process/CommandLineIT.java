package dev.parley.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a person sees when starting target/parley.jar as the README says, with the mistakes people make. */
class CommandLineIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anOldJavaIsToldWhichJavaParleyNeeds() throws Exception {
        Path oldJava = javaOlderThan21().orElseGet(() -> {
            String reason = "no Java older than 21 under /usr/lib/jvm (Debian: apt-get install openjdk-17-jre-headless)";
            if (Boolean.getBoolean("parley.requireExternal")) {
                throw new AssertionError(reason + ", and parley.requireExternal=true");
            }
            Assumptions.abort(reason + "; skipping");
            return null;
        });
        Run r = run(oldJava, "-jar", jar().toString());
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.output)
                .contains("Parley needs Java 21 or newer; this is Java 1")
                .contains(oldJava.toRealPath().getParent().getParent().toString())
                .doesNotContain("UnsupportedClassVersionError");
    }

    @Test
    void anUnparsableValueIsNamedWithItsExpectedForm() throws Exception {
        Run r = run(currentJava(), "-Dparley.heartbeat=banana", "-jar", jar().toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.output.strip()).isEqualTo("Invalid Parley configuration: parley.heartbeat=banana does not parse; "
                                               + "expected an ISO-8601 duration, e.g. PT25S (25 seconds), PT1M30S or PT0.5S");
    }

    @Test
    void jsonLoggingMeansEveryLineIsJson() throws Exception {
        List<String> lines;
        try (ParleyProcess parley = ParleyProcess.start("-Dlogging.format=json")) {
            parley.terminate();
            assertThat(parley.awaitExit(Duration.ofSeconds(30))).isZero();
            lines = parley.output();
        }
        assertThat(lines).isNotEmpty();
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : lines) {
            JsonNode node = parse(line);
            assertThat(node).as("every line must be a JSON object: %s", line).isNotNull();
            assertThat(node.isObject()).as(line).isTrue();
            parsed.add(node);
        }
        assertThat(parsed).anySatisfy(n -> {
            assertThat(n.path("event").asText()).isEqualTo("start");
            assertThat(n.path("message").asText()).startsWith("Parley is running. Open http://");
        });

        Run failed = run(currentJava(), "-Dlogging.format=json", "-Dserver.port=eighty", "-jar", jar().toString());
        assertThat(failed.exit).isEqualTo(2);
        List<String> failedLines = failed.output.lines().toList();
        assertThat(failedLines).isNotEmpty().allSatisfy(l -> assertThat(parse(l)).as(l).isNotNull());
        assertThat(failed.output).contains("server.port=eighty does not parse; expected a whole number");
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run run(Path java, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s exits", cmd).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static Path jar() {
        return Path.of(System.getProperty("parley.jar", "target/parley.jar"));
    }

    private static Path currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** A JDK or JRE installed beside this one that is too old for Parley (Debian's JDK 17, say). */
    private static Optional<Path> javaOlderThan21() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.map(h -> h.resolve("bin/java"))
                    .filter(Files::isExecutable)
                    .filter(j -> {
                        int major = major(j);
                        return major > 0 && major < 21;
                    })
                    .sorted(Comparator.naturalOrder())
                    .findFirst();
        }
    }

    private static int major(Path java) {
        try {
            Process p = new ProcessBuilder(java.toString(), "-XshowSettings:properties", "-version")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out.lines().map(String::strip).filter(l -> l.startsWith("java.specification.version = "))
                    .map(l -> l.substring(l.indexOf('=') + 1).strip())
                    .map(v -> v.startsWith("1.") ? v.substring(2) : v)
                    .mapToInt(v -> Integer.parseInt(v.split("\\.")[0])).findFirst().orElse(0);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 0;
        }
    }
}
