package dev.parley.observe;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** What this build of Parley is, from dev/parley/build.properties (filled in by the build). */
public final class BuildInfo {
    private static final String VERSION = load();

    private BuildInfo() {
    }

    /** The project version, e.g. 1.0.0; "unknown" outside a Maven build. */
    public static String version() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/dev/parley/build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
