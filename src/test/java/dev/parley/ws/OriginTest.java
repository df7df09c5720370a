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
            // Refused upgrades never became sessions; the accepted ones are cleaned up once closed.
            org.awaitility.Awaitility.await().until(() -> server.connections().size() == 0);
        } finally {
            server.stop();
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
