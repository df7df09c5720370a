package dev.parley.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;

/**
 * Entry point of {@code parley-load.jar}: a fan-out, idle, publish, rooms or join-storm load run
 * against any Parley URL, or one of the helpers {@code run-load.sh} uses.
 */
public final class LoadMain {

    private LoadMain() {
    }

    public static void main(String[] args) throws Exception {
        // Asking for help is not an error: usage on stdout, exit 0.
        if (helpRequested(args)) {
            System.out.println(LoadOptions.usage());
            System.exit(0);
            return;
        }
        if (args.length > 0 && !args[0].startsWith("--")) {
            switch (args[0]) {
                case "summarize" -> Summarize.main(Arrays.asList(args).subList(1, args.length), System.out);
                case "free-port" -> System.out.println(freePort());
                case "calibration-server" -> CalibrationServer.serve(port(args));
                case "threaded-calibration-server" -> ThreadedCalibrationServer.serve(port(args));
                default -> {
                    System.err.println(LoadOptions.usage());
                    System.exit(2);
                }
            }
            return;
        }
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(LoadOptions.usage());
            System.exit(2);
            return;
        }
        System.err.printf("parley-load %s against %s (io=%s)%n", options.mode.name().toLowerCase(), options.urls,
                options.io.name().toLowerCase());
        Report report = switch (options.mode) {
            case FANOUT -> new FanoutScenario(options).run();
            case IDLE -> new IdleScenario(options).run();
            case PUBLISH -> new PublishScenario(options).run();
            case ROOMS -> new RoomsScenario(options).run();
            case JOINSTORM -> new JoinStormScenario(options).run();
        };
        report.print(System.out);
        System.out.flush();
        // Daemon reactors and parked virtual threads must not keep a finished run alive.
        System.exit(0);
    }

    static boolean helpRequested(String[] args) {
        return args.length > 0 && (args[0].equals("help") || args[0].equals("-h") || args[0].equals("--help"));
    }

    /** {@code --port N} after the command, else 8090. */
    private static int port(String[] args) {
        return args.length > 2 && args[1].equals("--port") ? Integer.parseInt(args[2]) : 8090;
    }

    /** A port free on the loopback interface right now, for starting a server on it. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
