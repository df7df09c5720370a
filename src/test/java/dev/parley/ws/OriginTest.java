package dev.parley.ws;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** Cross-site WebSocket hijacking guard at the upgrade. */
class OriginTest {

    private static int upgrade(ParleyServer server, Map<String, String> headers) throws Exception {
        try (RawClient c = RawClient.connect(TestServer.ws(server), headers)) {
            return c.status();
        }
    }

    @Test
    void defaultAllowsSameOriginAndNoOrigin() throws Exception {
        ParleyServer server = TestServer.start();
        try {
            int port = server.port();
            assertThat(upgrade(server, Map.of())).isEqualTo(101);
            assertThat(upgrade(server, Map.of("Origin", "http://127.0.0.1:" + port))).isEqualTo(101);
            assertThat(upgrade(server, Map.of("Origin", "http://evil.example"))).isEqualTo(403);
            assertThat(upgrade(server, Map.of("Origin", "http://127.0.0.1:" + (port + 1)))).isEqualTo(403);
            assertThat(upgrade(server, Map.of("Origin", "null"))).isEqualTo(403);
            // Same host and port, another scheme: this server speaks plain HTTP.
            assertThat(upgrade(server, Map.of("Origin", "https://127.0.0.1:" + port))).isEqualTo(403);
            // Refused upgrades never became sessions; the accepted ones are cleaned up once closed.
            org.awaitility.Awaitility.await().until(() -> server.connections().size() == 0);
        } finally {
            server.stop();
        }
    }

    /** Behind a trusted proxy that terminates TLS, the browser's origin is https. */
    @Test
    void aTrustedProxySaysWhichSchemeTheBrowserUsed() throws Exception {
        ParleyServer server = TestServer.start(Map.of("parley.trusted-proxies", "127.0.0.1"));
        ParleyServer untrusting = TestServer.start(Map.of("parley.trusted-proxies", "192.0.2.1"));
        try {
            // A peer that is not a trusted proxy: its word for the scheme is not believed.
            String elsewhere = "https://127.0.0.1:" + untrusting.port();
            assertThat(upgrade(untrusting, Map.of("Origin", elsewhere, "X-Forwarded-Proto", "https"))).isEqualTo(403);
            int port = server.port();
            String https = "https://127.0.0.1:" + port;
            assertThat(upgrade(server, Map.of("Origin", https, "X-Forwarded-Proto", "https"))).isEqualTo(101);
            assertThat(upgrade(server, Map.of("Origin", https))).isEqualTo(403);
            assertThat(upgrade(server, Map.of("Origin", "http://127.0.0.1:" + port, "X-Forwarded-Proto", "https"))).isEqualTo(403);
            assertThat(upgrade(server, Map.of("Origin", "http://127.0.0.1:" + port))).isEqualTo(101);
        } finally {
            server.stop();
            untrusting.stop();
        }
    }

    @Test
    void configuredListIsExact() throws Exception {
        ParleyServer server = TestServer.start(Map.of("parley.origins", "https://chat.example.com, https://app.example.com"));
        try {
            assertThat(upgrade(server, Map.of("Origin", "https://chat.example.com"))).isEqualTo(101);
            assertThat(upgrade(server, Map.of("Origin", "https://CHAT.example.com/"))).isEqualTo(101);
            assertThat(upgrade(server, Map.of("Origin", "https://chat.example.com.evil.io"))).isEqualTo(403);
            assertThat(upgrade(server, Map.of("Origin", "http://chat.example.com"))).isEqualTo(403);
            // With an explicit list, same-origin is not implied.
            assertThat(upgrade(server, Map.of("Origin", "http://127.0.0.1:" + server.port()))).isEqualTo(403);
        } finally {
            server.stop();
        }
    }
}
