package dev.parley.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.awaitility.Awaitility.await;

/**
 * A real WebSocket client (the JDK's) that records every server object it receives, in order.
 * It can stop reading, like a stalled phone, by withholding demand: the JDK client then stops
 * reading the socket and TCP backpressure reaches the server.
 */
public final class ChatClient implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final List<JsonNode> received = java.util.Collections.synchronizedList(new ArrayList<>());
    /** When false, chat messages are counted but not kept (for clients that only send). */
    private volatile boolean keepMessages = true;
    private final CompletableFuture<int[]> closed = new CompletableFuture<>();
    private final AtomicBoolean reading = new AtomicBoolean(true);
    private final StringBuilder partial = new StringBuilder();
    private volatile WebSocket ws;
    private volatile boolean requestPending;
    /** Indexes of objects already returned by {@link #next}: each object is taken at most once. */
    private final java.util.BitSet taken = new java.util.BitSet();

    private ChatClient() {
    }

    public static ChatClient connect(URI uri) {
        return connect(uri, Map.of());
    }

    public static ChatClient connect(URI uri, Map<String, String> headers) {
        return connect(HTTP, uri, headers);
    }

    /** Connects from {@code localAddress} (e.g. 127.0.0.2, to tell a client from a proxy) and waits for {@code hello}. */
    public static ChatClient open(URI uri, java.net.InetAddress localAddress) {
        ChatClient c = connect(HttpClient.newBuilder().localAddress(localAddress).build(), uri, Map.of());
        c.next("hello");
        return c;
    }

    /** Sends a chat message with a fresh id and waits for its ack; returns the seq it got. */
    public long sayAndAwaitAck(String room, String text) {
        String id = "c-" + System.nanoTime();
        say(room, text, id);
        return next(n -> "ack".equals(n.path("type").asText()) && id.equals(n.path("id").asText()), "ack " + id)
                .path("seq").asLong();
    }

    /**
     * Sends until the server acks: an {@code unavailable} answer (Redis down, or a drain) is
     * retried with the same id, which the broker's idempotency makes safe. Returns the seq.
     */
    public long sayUntilAcked(String room, String text, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            say(room, text, id);
            JsonNode answer = next(n -> id.equals(n.path("id").asText()) && "ack".equals(n.path("type").asText())
                                          || id.equals(n.path("ref").asText()) && "error".equals(n.path("type").asText()),
                                     "ack or error for " + id);
            if ("ack".equals(answer.path("type").asText())) {
                return answer.path("seq").asLong();
            }
            if (!"unavailable".equals(answer.path("code").asText())) {
                throw new AssertionError("unexpected answer to " + id + ": " + answer);
            }
            try {
                Thread.sleep(50); // a client's retry backoff, not a wait for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no ack for " + id + " within 60 s");
    }

    private static ChatClient connect(HttpClient http, URI uri, Map<String, String> headers) {
        ChatClient c = new ChatClient();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        c.ws = b.buildAsync(uri, c.new Listener()).orTimeout(20, TimeUnit.SECONDS).join();
        return c;
    }

    /** Connects and waits for {@code hello}. */
    public static ChatClient open(URI uri) {
        ChatClient c = connect(uri);
        c.next("hello");
        return c;
    }

    /** Connects, joins {@code room} as {@code name} and waits for {@code joined}. */
    public static ChatClient joined(URI uri, String room, String name) {
        ChatClient c = open(uri);
        c.join(room, name);
        return c;
    }

    public JsonNode join(String room, String name) {
        send(obj("type", "join", "room", room, "name", name));
        return next("joined");
    }

    public void send(Object json) {
        sendText(json instanceof String s ? s : json.toString());
    }

    public void sendText(String text) {
        ws.sendText(text, true).orTimeout(20, TimeUnit.SECONDS).join();
    }

    public void say(String room, String text, String id) {
        ObjectNode o = obj("type", "send", "room", room, "text", text);
        if (id != null) {
            o.put("id", id);
        }
        send(o);
    }

    public static ObjectNode obj(Object... kv) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            Object v = kv[i + 1];
            if (v instanceof Number n) {
                o.put((String) kv[i], n.longValue());
            } else if (v instanceof Boolean b) {
                o.put((String) kv[i], b);
            } else {
                o.put((String) kv[i], v == null ? null : v.toString());
            }
        }
        return o;
    }

    /** The oldest object of {@code type} not yet taken, waiting for one if needed. */
    public JsonNode next(String type) {
        return next(n -> type.equals(n.path("type").asText()), type);
    }

    public synchronized JsonNode next(Predicate<JsonNode> p, String what) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2)).alias("waiting for " + what + " in " + received)
                .until(() -> {
                    for (int i = taken.nextClearBit(0); i < received.size(); i = taken.nextClearBit(i + 1)) {
                        if (p.test(received.get(i))) {
                            found[0] = received.get(i);
                            taken.set(i);
                            return true;
                        }
                    }
                    return false;
                });
        return found[0];
    }

    /** Every object received so far. */
    public List<JsonNode> all() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    public List<JsonNode> all(String type) {
        return all().stream().filter(n -> type.equals(n.path("type").asText())).toList();
    }

    /** Stop keeping chat messages (a busy sender would otherwise hoard every message of the room). */
    public ChatClient discardMessages() {
        keepMessages = false;
        return this;
    }

    /** Chat messages of a room received so far, in arrival order. */
    public List<JsonNode> messages(String room) {
        return all().stream()
                .filter(n -> "message".equals(n.path("type").asText()) && room.equals(n.path("room").asText()))
                .toList();
    }

    public void stopReading() {
        reading.set(false);
    }

    public void resumeReading() {
        if (reading.compareAndSet(false, true) && requestPending) {
            requestPending = false;
            ws.request(1);
        }
    }

    /** Close code and nothing else, once the server closed or the connection dropped (1006). */
    public CompletableFuture<int[]> closedFuture() {
        return closed;
    }

    public int awaitClose() {
        return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join()[0];
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    public void close() {
        if (!closed.isDone()) {
            try {
                ws.sendClose(1000, "bye").orTimeout(5, TimeUnit.SECONDS).join();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        ws.abort();
    }

    /** Drops the TCP connection without a close frame. */
    public void abort() {
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
                for (String line : partial.toString().split("\n")) {
                    try {
                        JsonNode n = JSON.readTree(line);
                        if (keepMessages || !"message".equals(n.path("type").asText())) {
                            received.add(n);
                        }
                    } catch (Exception e) {
                        received.add(JSON.createObjectNode().put("type", "unparseable").put("raw", line));
                    }
                }
                partial.setLength(0);
            }
            demand(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            demand(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            demand(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            demand(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new int[] {statusCode});
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new int[] {1006});
        }

        private void demand(WebSocket webSocket) {
            if (reading.get()) {
                webSocket.request(1);
            } else {
                requestPending = true;
            }
        }
    }
}
