package dev.parley;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

import dev.parley.observe.LogFormat;

/** Starts Parley: {@code java -jar target/parley.jar [-Dkey=value ...]}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        ParleyServer server;
        try {
            LogFormat.apply(config);
            server = ParleyServer.start(config);
        } catch (IllegalArgumentException | io.helidon.config.ConfigException e) {
            // A value that does not parse (e.g. PT10MS for a duration) is a configuration error too.
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (!server.isRunning()) {
            // Helidon 4.1.2 logs a bind failure instead of throwing it.
            System.err.println("Parley could not start listening (is port " + config.get("server.port").asString().orElse("8080")
                               + " or admin port " + server.access().adminPort() + " already in use?); see the log above.");
            server.stop();
            System.exit(1);
            return;
        }
        server.drainOnSignals();
        String host = config.get("server.host").asString().orElse("0.0.0.0");
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        String admin = server.access().adminHost();
        String adminShown = admin.equals("0.0.0.0") || admin.equals("::") ? "localhost" : admin;
        System.out.printf("Parley is running. Open http://%s:%d/ to chat (WebSocket: ws://%s:%d/ws); "
                          + "admin: http://%s:%d/observe/health%n",
                          shown, server.port(), shown, server.port(), adminShown, server.adminPort());
    }
}
