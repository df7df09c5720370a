package dev.parley.ws;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The opening handshake as RFC 6455 §4.2 asks, and a deadline for request headers. */
class UpgradeTest {
    private ParleyServer server;
    private URI ws;

    private void start(Map<String, String> overrides) {
        server = TestServer.start(overrides);
        ws = TestServer.ws(server);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private String request(String method, String upgrade, String connection, String version, String key) {
        StringBuilder r = new StringBuilder()
                .append(method).append(" /ws HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(ws.getPort()).append("\r\n");
        if (upgrade != null) {
            r.append("Upgrade: ").append(upgrade).append("\r\n");
        }
        if (connection != null) {
            r.append("Connection: ").append(connection).append("\r\n");
        }
        if (version != null) {
            r.append("Sec-WebSocket-Version: ").append(version).append("\r\n");
        }
        if (key != null) {
            r.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
        }
        if (!method.equals("GET")) {
            r.append("Content-Length: 0\r\n");
        }
        return r.append("\r\n").toString();
    }

    @Test
    void withoutAKeyIs400() throws IOException {
        start(Map.of());
        try (RawClient c = RawClient.request(ws, request("GET", "websocket", "Upgrade", "13", null))) {
            assertThat(c.status()).isEqualTo(400);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not base64 at all!!!!!=="})
    void anInvalidKeyIs400(String key) throws IOException {
        start(Map.of());
        try (RawClient c = RawClient.request(ws, request("GET", "websocket", "Upgrade", "13", key))) {
            assertThat(c.status()).isEqualTo(400);
        }
    }

    @Test
    void withoutAVersionIs426NamingVersion13() throws IOException {
        start(Map.of());
        try (RawClient c = RawClient.request(ws, request("GET", "websocket", "Upgrade", null, RawClient.key()))) {
            assertThat(c.status()).isEqualTo(426);
            assertThat(c.headers()).containsEntry("sec-websocket-version", "13");
        }
    }

    @Test
    void anotherVersionIs426NamingVersion13() throws IOException {
        start(Map.of());
        try (RawClient c = RawClient.request(ws, request("GET", "websocket", "Upgrade", "8", RawClient.key()))) {
            assertThat(c.status()).isEqualTo(426);
            assertThat(c.headers()).containsEntry("sec-websocket-version", "13");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE"})
    void anotherMethodIs405(String method) throws IOException {
        start(Map.of());
        try (RawClient c = RawClient.request(ws, request(method, "websocket", "Upgrade", "13", RawClient.key()))) {
            assertThat(c.status()).isEqualTo(405);
        }
    }

    @Test
    void withoutConnectionUpgradeIs400() throws IOException {
        start(Map.of());
        try (RawClient c = RawClient.request(ws, request("GET", "websocket", "keep-alive", "13", RawClient.key()))) {
            assertThat(c.status()).isEqualTo(400);
        }
    }

    /** RFC 7230 tokens are case-insensitive; Connection and Upgrade may list several. */
    @ParameterizedTest
    @ValueSource(strings = {"WebSocket", "WEBSOCKET", "webSocket", "websocket", "websocket, h2c", "h2c, WebSocket",
                            "wEbSoCkEt , foo/2"})
    void theUpgradeTokenInAnyCaseIs101(String upgrade) throws IOException {
        start(Map.of());
        String key = RawClient.key();
        try (RawClient c = RawClient.request(ws, request("GET", upgrade, "keep-alive, UPGRADE", "13", key))) {
            assertThat(c.status()).isEqualTo(101);
            assertThat(c.headers()).containsEntry("sec-websocket-accept", StrictUpgrader.accept(key))
                    .containsEntry("upgrade", "websocket");
            RawClient.ServerFrame hello = c.read();
            assertThat(hello.text()).contains("\"type\":\"hello\"");
        }
    }

    /** An upgrade that does not offer WebSocket is not one: HTTP routing answers. */
    @Test
    void anUpgradeToAnotherProtocolIsNotAWebSocket() throws IOException {
        start(Map.of());
        try (RawClient c = RawClient.request(ws, request("GET", "h2c, websocketx", "Upgrade", "13", RawClient.key()))) {
            assertThat(c.status()).isNotEqualTo(101);
        }
    }

    /** The deadline covers the request headers only: an upgraded connection outlives it, and a keep-alive HTTP one too. */
    @Test
    void theHeaderTimeoutEndsWithTheHeaders() throws Exception {
        start(Map.of("parley.header-timeout", "PT0.5S"));
        try (ChatClient c = ChatClient.open(ws)) {
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> !c.isClosed());
            assertThat(server.connections().headerDeadlines().size()).isZero();
            c.send(ChatClient.obj("type", "ping"));
            assertThat(c.next("pong")).isNotNull();
        }
    }

    /** End of stream or a reset, read within the socket's timeout; false if a byte of a response arrives. */
    private static boolean closedByServer(Socket s) throws IOException {
        try {
            return s.getInputStream().read() == -1;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Test
    void theAcceptValueIsTheRfcExample() {
        // RFC 6455 §1.3
        assertThat(StrictUpgrader.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    /**
     * Sockets that send their upgrade a byte at a time, or nothing at all, are closed once the
     * header timeout passes; a prompt client on the same server is upgraded as usual.
     */
    @Test
    void slowHeadersAreCutAtTheHeaderTimeout() throws Exception {
        start(Map.of("parley.header-timeout", "PT1S"));
        String head = request("GET", "websocket", "Upgrade", "13", RawClient.key());
        List<Socket> slow = new ArrayList<>();
        List<Thread> dribblers = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", ws.getPort()));
                s.setSoTimeout(10_000);
                slow.add(s);
                if (i % 4 == 0) {
                    continue; // sends nothing at all
                }
                OutputStream out = s.getOutputStream();
                dribblers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (byte b : head.getBytes(StandardCharsets.US_ASCII)) {
                            out.write(b);
                            out.flush();
                            Thread.sleep(200);
                        }
                    } catch (IOException | InterruptedException e) {
                        // closed by the server: expected
                    }
                }));
            }
            try (ChatClient prompt = ChatClient.open(ws)) {
                prompt.send(ChatClient.obj("type", "ping"));
                assertThat(prompt.next("pong")).isNotNull();
            }
            long start = System.nanoTime();
            for (Socket s : slow) {
                assertThat(closedByServer(s)).as("server closed the socket").isTrue();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            await().atMost(ChatClient.WAIT).until(() -> server.connections().headerDeadlines().size() == 0);
        } finally {
            for (Socket s : slow) {
                s.close();
            }
            for (Thread t : dribblers) {
                t.join(Duration.ofSeconds(10));
            }
        }
    }
}
