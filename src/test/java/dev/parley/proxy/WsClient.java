package dev.parley.proxy;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.awaitility.Awaitility.await;

/**
 * The JDK's WebSocket client, connected from a chosen loopback address (so the test can tell the
 * client's address from the proxy's), recording every server object in arrival order.
 */
final class WsClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(15);

    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    /** Completes with the close code, or 1006 when the connection failed without a close frame. */
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** Text of a message split across frames; touched only by the client's listener thread. */
    private final StringBuilder partial = new StringBuilder();
    /** Index of the first object not yet returned by {@link #next}; only the test thread moves it. */
    private int cursor;
    private WebSocket ws;
    private JsonNode hello;

    private WsClient() {
    }

    /** Connects and waits for {@code hello}. */
    static WsClient open(URI uri, InetAddress localAddress) {
        WsClient c = new WsClient();
        HttpClient http = HttpClient.newBuilder().localAddress(localAddress).connectTimeout(Duration.ofSeconds(5)).build();
        c.ws = http.newWebSocketBuilder().buildAsync(uri, c.new Listener()).orTimeout(15, TimeUnit.SECONDS).join();
        c.hello = c.next("hello");
        return c;
    }

    /** The server's greeting; {@code session} names this connection in Parley's logs. */
    JsonNode hello() {
        return hello;
    }

    static ObjectNode obj(Object... kv) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            String key = (String) kv[i];
            switch (kv[i + 1]) {
                case Number n -> o.put(key, n.longValue());
                case Boolean b -> o.put(key, b);
                case Object v -> o.put(key, v.toString());
            }
        }
        return o;
    }

    void send(ObjectNode json) {
        ws.sendText(json.toString(), true).orTimeout(10, TimeUnit.SECONDS).join();
    }

    JsonNode join(String room, String name) {
        send(obj("type", "join", "room", room, "name", name));
        return next("joined");
    }

    /** Sends a chat message and waits for its ack; returns the seq it got. */
    long say(String room, String text) {
        String id = "c-" + System.nanoTime();
        send(obj("type", "send", "room", room, "text", text, "id", id));
        return next(n -> "ack".equals(n.path("type").asText()) && id.equals(n.path("id").asText()), "ack " + id)
                .path("seq").asLong();
    }

    JsonNode next(String type) {
        return next(n -> type.equals(n.path("type").asText()), type);
    }

    /** The first object after the previous {@code next} that matches, waiting (bounded) for it. */
    JsonNode next(Predicate<JsonNode> p, String what) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).alias("waiting for " + what + "; received " + received)
                .until(() -> {
                    for (int i = cursor; i < received.size(); i++) {
                        if (p.test(received.get(i))) {
                            found[0] = received.get(i);
                            cursor = i + 1;
                            return true;
                        }
                    }
                    return false;
                });
        return found[0];
    }

    boolean isClosed() {
        return closed.isDone();
    }

    int awaitClosed(Duration within) {
        return closed.orTimeout(within.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).join();
            } catch (RuntimeException ignored) {
                // already gone: abort below releases the socket either way
            }
        }
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                // The server may coalesce several objects into one frame, one per line.
                for (String line : partial.toString().split("\n")) {
                    try {
                        received.add(JSON.readTree(line));
                    } catch (Exception e) {
                        received.add(obj("type", "unparseable", "raw", line));
                    }
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(1006);
        }
    }
}
