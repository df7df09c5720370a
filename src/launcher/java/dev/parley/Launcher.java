package dev.parley;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's entry point, compiled for Java 8 (pom.xml, execution compile-launcher) so that an old
 * {@code java} can load it: it says which Java Parley needs instead of an
 * {@code UnsupportedClassVersionError}, then hands over to {@link Main}, which is Java 21 bytecode.
 * Written in Java 8 on purpose; keep it free of anything newer.
 */
public final class Launcher {
    static final int REQUIRED_JAVA = 21;

    private Launcher() {
    }

    public static void main(String[] args) throws Throwable {
        int running = major(System.getProperty("java.specification.version", "0"));
        if (running < REQUIRED_JAVA) {
            System.err.println("Parley needs Java " + REQUIRED_JAVA + " or newer; this is Java "
                               + System.getProperty("java.version") + " (" + System.getProperty("java.home") + ").");
            System.err.println("Run it with a Java " + REQUIRED_JAVA + "+ (JAVA_HOME/bin/java -jar ...), "
                               + "or start it with ./parley run, which finds one.");
            System.exit(1);
            return;
        }
        try {
            // By name: this class must load on a Java that cannot load Main.
            Class.forName("dev.parley.Main").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** "1.8" -> 8, "17" -> 17, "21.0.1" -> 21. */
    static int major(String specificationVersion) {
        String v = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int dot = v.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
