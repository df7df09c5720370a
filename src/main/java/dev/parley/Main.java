package dev.parley;

import io.helidon.config.Config;
import io.helidon.config.ConfigMappingException;
import io.helidon.logging.common.LogConfig;

import dev.parley.config.ParleyConfig;
import dev.parley.observe.LogFields;
import dev.parley.observe.LogFormat;

/**
 * Starts Parley: {@code java -jar target/parley.jar [-Dkey=value ...]} (through {@link Launcher},
 * which checks the Java version first). With {@code logging.format=json} every line it prints is
 * a JSON object, the start-up line and configuration errors included.
 */
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        boolean json = false;
        ParleyServer server;
        try {
            json = LogFormat.apply(config);
            server = ParleyServer.start(config);
        } catch (ConfigMappingException e) {
            // A value that does not parse (e.g. banana for a duration): say the key, the value and the form expected.
            fail(json, ParleyConfig.unparsable(e).getMessage(), 2);
            return;
        } catch (IllegalArgumentException | io.helidon.config.ConfigException e) {
            fail(json, e.getMessage(), 2);
            return;
        }
        if (!server.isRunning()) {
            // Helidon 4.1.2 logs a bind failure instead of throwing it.
            server.stop();
            fail(json, "Parley could not start listening (is port " + config.get("server.port").asString().orElse("8080")
                       + " or admin port " + server.access().adminPort() + " already in use?); see the log above.", 1);
            return;
        }
        server.drainOnSignals();
        String host = config.get("server.host").asString().orElse("0.0.0.0");
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        String admin = server.access().adminHost();
        String adminShown = admin.equals("0.0.0.0") || admin.equals("::") ? "localhost" : admin;
        String banner = String.format("Parley is running. Open http://%s:%d/ to chat (WebSocket: ws://%s:%d/ws); "
                                      + "admin: http://%s:%d/observe/health",
                                      shown, server.port(), shown, server.port(), adminShown, server.adminPort());
        if (json) {
            LOG.log(System.Logger.Level.INFO, banner, LogFields.of("event", "start", "port", server.port(),
                                                                   "admin_port", server.adminPort()));
        } else {
            System.out.println(banner);
        }
    }

    /** A start-up failure: on stderr for a person, or as one JSON log line for a log shipper. */
    private static void fail(boolean json, String message, int exitCode) {
        if (json) {
            LOG.log(System.Logger.Level.ERROR, message, LogFields.of("event", "start.failed"));
        } else {
            System.err.println(message);
        }
        System.exit(exitCode);
    }
}
