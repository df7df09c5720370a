package dev.parley.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately minimal stand-in for Parley, to measure the load generator on its own: one
 * selector thread, rooms by name, each message written to every member of its room as its own
 * frame (no coalescing, so the generator sees the most frames it could). It speaks only what the
 * generator uses: hello, join/joined, send/ack/message (no presence). Loopback only.
 *
 * <p>It is not a reference server: it has no limits except one — a member whose unsent bytes
 * exceed 4 MiB is dropped — and it trusts its input.
 */
final class CalibrationServer {

    private static final int MAX_PENDING = 4 << 20;

    /** Members by room name; selector thread only. */
    private final Map<String, List<Client>> rooms = new HashMap<>();
    /** One sequence for all rooms: enough for the generator, which checks its own counters. */
    private long seq;

    private final class Client implements FrameDecoder.Sink {
        final SocketChannel ch;
        final SelectionKey key;
        final FrameDecoder decoder = new FrameDecoder(1 << 20);
        final ReadBuffer in = new ReadBuffer();
        boolean upgraded;
        ByteBuffer pending;
        String name = "?";

        Client(SocketChannel ch, SelectionKey key) {
            this.ch = ch;
            this.key = key;
        }

        void onReadable() throws IOException {
            in.makeRoom();
            int n = ch.read(ByteBuffer.wrap(in.buf, in.lim, in.buf.length - in.lim));
            if (n < 0) {
                close();
                return;
            }
            in.lim += n;
            if (!upgraded) {
                String head = in.head();
                if (head == null) {
                    return;
                }
                in.consume(head.length() + 4);
                upgrade(head);
            }
            in.consume(decoder.decode(in.buf, 0, in.lim, this));
        }

        private void upgrade(String head) throws IOException {
            String key = webSocketKey(head);
            if (key == null) {
                write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                close();
                return;
            }
            upgraded = true;
            write(switchingProtocols(key));
            text("{\"type\":\"hello\",\"session\":\"cal\",\"protocol\":1,\"heartbeat\":25,\"maxText\":4000}");
        }

        @Override
        public void onText(byte[] b, int off, int len) throws IOException {
            String json = new String(b, off, len, StandardCharsets.UTF_8);
            String type = field(json, "type");
            String room = field(json, "room");
            if ("join".equals(type)) {
                name = field(json, "name");
                text("{\"type\":\"joined\",\"room\":\"" + room + "\",\"seq\":" + seq
                        + ",\"epoch\":\"cal\",\"recovered\":false,\"members\":[]}");
                List<Client> members = rooms.computeIfAbsent(room, r -> new ArrayList<>());
                if (!members.contains(this)) { // a second join adds no second copy
                    members.add(this);
                }
            } else if ("send".equals(type)) {
                String id = field(json, "id");
                long s = ++seq;
                String idField = id == null ? "" : ",\"id\":\"" + id + "\"";
                text("{\"type\":\"ack\",\"room\":\"" + room + "\",\"seq\":" + s + idField + "}");
                byte[] frame = FrameEncoder.unmasked(FrameDecoder.OP_TEXT, ("{\"type\":\"message\",\"room\":\""
                        + room + "\",\"seq\":" + s + ",\"from\":\"" + name + "\",\"text\":\"" + field(json, "text")
                        + "\",\"ts\":" + System.currentTimeMillis() + idField + "}").getBytes(StandardCharsets.UTF_8));
                for (Client m : List.copyOf(rooms.getOrDefault(room, List.of()))) {
                    m.write(frame);
                }
            }
        }

        @Override
        public void onPing(byte[] b, int off, int len) {
            // clients of the generator never ping
        }

        @Override
        public void onClose(int code) throws IOException {
            write(FrameEncoder.unmasked(FrameDecoder.OP_CLOSE, new byte[] {(byte) (code >>> 8), (byte) code}));
            close();
        }

        void text(String json) throws IOException {
            write(FrameEncoder.unmasked(FrameDecoder.OP_TEXT, json.getBytes(StandardCharsets.UTF_8)));
        }

        void write(byte[] bytes) throws IOException {
            if (!ch.isOpen()) {
                return;
            }
            if (pending != null) {
                if (pending.remaining() + bytes.length > MAX_PENDING) {
                    close();
                    return;
                }
                ByteBuffer joined = ByteBuffer.allocate(pending.remaining() + bytes.length);
                pending = joined.put(pending).put(bytes).flip();
                return;
            }
            ByteBuffer bb = ByteBuffer.wrap(bytes);
            try {
                ch.write(bb);
            } catch (IOException e) {
                close();
                return;
            }
            if (bb.hasRemaining()) {
                pending = bb;
                key.interestOpsOr(SelectionKey.OP_WRITE);
            }
        }

        void onWritable() throws IOException {
            ch.write(pending);
            if (!pending.hasRemaining()) {
                pending = null;
                key.interestOpsAnd(~SelectionKey.OP_WRITE);
            }
        }

        void close() {
            rooms.values().forEach(members -> members.remove(this));
            key.cancel();
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }
    }

    /** Serves on 127.0.0.1:{@code port} until the process is stopped. */
    static void serve(int port) throws IOException {
        new CalibrationServer().loop(port);
    }

    private void loop(int port) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        System.err.println("calibration server on ws://127.0.0.1:" + port + "/ws");
        while (true) {
            selector.select(key -> {
                try {
                    if (key.isAcceptable()) {
                        SocketChannel ch;
                        while ((ch = server.accept()) != null) {
                            ch.configureBlocking(false);
                            SelectionKey k = ch.register(selector, SelectionKey.OP_READ);
                            k.attach(new Client(ch, k));
                        }
                        return;
                    }
                    Client c = (Client) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        c.onWritable();
                    }
                    if (key.isValid() && key.isReadable()) {
                        c.onReadable();
                    }
                } catch (IOException e) {
                    if (key.attachment() instanceof Client c) {
                        c.close();
                    }
                }
            });
        }
    }

    /** The request's Sec-WebSocket-Key, or null without one. */
    static String webSocketKey(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Key")) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** The 101 answer to a request with {@code key}. */
    static byte[] switchingProtocols(String key) {
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The raw string value of a top-level field, escapes left as they are (copied verbatim). */
    static String field(String json, String name) {
        String k = "\"" + name + "\":\"";
        int i = json.indexOf(k);
        if (i < 0) {
            return null;
        }
        int start = i + k.length();
        int end = start;
        while (end < json.length() && json.charAt(end) != '"') {
            end += json.charAt(end) == '\\' ? 2 : 1;
        }
        return json.substring(start, end);
    }

    private static String accept(String key) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
