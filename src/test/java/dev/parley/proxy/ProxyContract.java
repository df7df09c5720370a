package dev.parley.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every shipped proxy configuration must do for Parley, checked against the real proxy
 * binary running the file from the repository root, in front of a real Parley: chat flows, the
 * upgrade answer is a proper 101, Parley sees the client's own address, and after a proxy
 * restart clients come back without losing a message. Subclasses start the proxy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProxyContract {
    /**
     * Clients connect from this loopback address, the proxy reaches Parley from 127.0.0.1: an
     * address of 127.0.0.2 in Parley's log can only have come through X-Forwarded-For.
     */
    static final InetAddress CLIENT = address("127.0.0.2");
    static final InetAddress LOOPBACK = address("127.0.0.1");

    /** Static: JUnit injects an instance @TempDir only after @BeforeAll has run. */
    @TempDir
    static Path dir;
    ParleyServer parley;
    ProxyProcess proxy;
    private ClientAddressLog addresses;
    private final List<AutoCloseable> extras = new ArrayList<>();

    /** The proxy running the shipped file, listening on {@code listenPort}, in front of {@code upstreamPort}; not started. */
    abstract ProxyProcess proxy(Path workDir, int listenPort, int upstreamPort);

    /** Fails or skips (see {@link External}) before anything starts when the binary is missing. */
    abstract void requireBinary();

    @BeforeAll
    void startParleyAndProxy() {
        requireBinary();
        addresses = new ClientAddressLog();
        parley = startParley(Map.of());
        proxy = proxy(dir.resolve("proxy"), freePort(), parley.port()).start();
    }

    @AfterAll
    void stopAll() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
        for (AutoCloseable c : extras.reversed()) {
            c.close();
        }
        if (parley != null) {
            parley.stop();
        }
        if (addresses != null) {
            addresses.close();
        }
    }

    /**
     * Parley in this JVM, as production wires it, on a free loopback port. The heartbeat is
     * short (production: 25 s) so that a proxy read timeout of a few seconds can be tested.
     */
    ParleyServer startParley(Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>();
        all.put("server.port", "0");
        all.put("server.host", "127.0.0.1");
        all.put("parley.admin.port", "0");
        all.put("parley.admin.host", "127.0.0.1");
        all.put("parley.heartbeat", "PT0.5S");
        all.put("parley.idle-timeout", "PT10S");
        all.put("parley.write-deadline", "PT2S");
        all.putAll(overrides);
        return ParleyServer.start(Config.just(ConfigSources.create(all), ConfigSources.classpath("application.yaml")));
    }

    /** Stopped after the class, after the main proxy. */
    <T extends AutoCloseable> T closeLater(T resource) {
        extras.add(resource);
        return resource;
    }

    URI viaProxy() {
        return viaProxy(proxy);
    }

    static URI viaProxy(ProxyProcess p) {
        return URI.create("ws://127.0.0.1:" + p.port() + "/ws");
    }

    URI direct() {
        return URI.create("ws://127.0.0.1:" + parley.port() + "/ws");
    }

    @Test
    void chatFlowsThroughTheProxy() {
        String room = "proxied-chat";
        try (ChatClient alice = ChatClient.open(viaProxy(), CLIENT);
             ChatClient bob = ChatClient.open(viaProxy(), CLIENT)) {
            alice.join(room, "alice");
            bob.join(room, "bob");
            long seq = alice.sayAndAwaitAck(room, "hello through the proxy");
            JsonNode got = bob.next(n -> "message".equals(n.path("type").asText()) && n.path("seq").asLong() == seq,
                                    "message " + seq);
            assertThat(got.path("from").asText()).isEqualTo("alice");
            assertThat(got.path("text").asText()).isEqualTo("hello through the proxy");
        }
    }

    /** What `curl -i -N -H 'Upgrade: websocket' ...` shows: the proxy must pass the 101 through intact. */
    @Test
    void upgradeAnswerIsA101WithTheHandshakeHeaders() throws IOException {
        RawHandshake h = RawHandshake.perform(proxy.port(), "/ws");
        assertThat(h.statusLine()).startsWith("HTTP/1.1 101");
        assertThat(h.header("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(h.header("Connection")).containsIgnoringCase("upgrade");
        assertThat(h.header("Sec-WebSocket-Accept")).isEqualTo(h.expectedAccept());
    }

    @Test
    void parleySeesTheClientsAddressNotTheProxys() {
        try (ChatClient c = ChatClient.open(viaProxy(), CLIENT)) {
            ClientAddressLog.Upgrade upgrade = addresses.upgradeOf(c.all("hello").getFirst().path("session").asText());
            assertThat(upgrade.peer()).as("TCP peer: the proxy").isEqualTo(LOOPBACK.getHostAddress());
            assertThat(upgrade.client()).as("client, from X-Forwarded-For").isEqualTo(CLIENT.getHostAddress());
        }
    }

    /**
     * A proxy restart cuts every chat. A client that reconnects and joins with the epoch and the
     * last seq it saw gets {@code recovered: true} and exactly what it missed (docs/protocol.md).
     */
    @Test
    void afterAProxyRestartClientsResumeWithoutLosingMessages() {
        String room = "resume-after-restart";
        try (ChatClient bob = ChatClient.open(direct(), LOOPBACK)) {
            bob.join(room, "bob");
            String epoch;
            long seen;
            try (ChatClient alice = ChatClient.open(viaProxy(), CLIENT)) {
                epoch = alice.join(room, "alice").path("epoch").asText();
                seen = bob.sayAndAwaitAck(room, "before the restart");
                alice.next(n -> "message".equals(n.path("type").asText()) && n.path("seq").asLong() == seen, "message " + seen);

                proxy.stop();
                alice.awaitClose();
            }
            List<Long> missed = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                missed.add(bob.sayAndAwaitAck(room, "missed " + i));
            }
            proxy.start();

            try (ChatClient alice = ChatClient.open(viaProxy(), CLIENT)) {
                alice.send(ChatClient.obj("type", "join", "room", room, "name", "alice", "epoch", epoch, "since", seen));
                JsonNode joined = alice.next("joined");
                assertThat(joined.path("recovered").asBoolean()).as("recovered in " + joined).isTrue();
                for (int i = 0; i < missed.size(); i++) {
                    JsonNode m = alice.next("message");
                    assertThat(m.path("seq").asLong()).isEqualTo(missed.get(i));
                    assertThat(m.path("text").asText()).isEqualTo("missed " + (i + 1));
                }
            }
        }
    }

    /** Only the public port is proxied, and it serves health and metrics under no spelling of the path. */
    @ParameterizedTest
    @MethodSource("dev.parley.support.RawHttp#observeSpellings")
    void observeIsNotReachableThroughTheProxy(String target) {
        // nginx refuses a target without a leading slash itself (400); either way nothing is served.
        assertThat(RawHttp.status(proxy.port(), target)).as("GET " + target + " through the proxy").isIn(400, 404);
    }

    @Test
    void thePageIsReachableThroughTheProxy() {
        assertThat(RawHttp.status(proxy.port(), "/")).isEqualTo(200);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
