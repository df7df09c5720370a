package dev.parley.support;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import dev.parley.ParleyServer;

/** Starts the production server on a free loopback port, with overrides on top of application.yaml. */
public final class TestServer {
    private TestServer() {
    }

    public static ParleyServer start(Map<String, String> overrides) {
        return ParleyServer.start(config(overrides));
    }

    public static ParleyServer start() {
        return start(Map.of());
    }

    public static Config config(Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>();
        all.put("server.port", "0");
        all.put("server.host", "127.0.0.1");
        all.put("parley.admin.port", "0");
        all.put("parley.admin.host", "127.0.0.1");
        all.putAll(overrides);
        return Config.just(ConfigSources.create(all), ConfigSources.classpath("application.yaml"));
    }

    public static URI ws(ParleyServer server) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws");
    }

    public static URI http(ParleyServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** A URI on the admin port (health, metrics, the back-end API). */
    public static URI admin(ParleyServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.adminPort() + path);
    }
}
