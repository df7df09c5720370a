package dev.parley.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * RFC 6455 over a real socket: what a client that fragments, or breaks the framing rules, gets.
 * A broken rule is answered with a close frame carrying the right code (never an HTTP response or
 * an exception's text in the stream), the server then closes the connection, and nothing the
 * broken message held reaches a room.
 */
class Rfc6455Test {
    private static ParleyServer server;
    private static URI ws;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("parley.max-frame-bytes", "20000",
                                         "parley.rate.per-second", "1000", "parley.rate.burst", "1000"));
        ws = TestServer.ws(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** A raw client that has joined room {@code room}; the hello and joined frames are read. */
    private static RawClient joined(String room) throws IOException {
        RawClient raw = RawClient.connect(ws);
        assertThat(raw.status()).isEqualTo(101);
        next(raw, "hello");
        raw.sendText("{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"raw\"}");
        next(raw, "joined");
        return raw;
    }

    /** The next server object of this type (objects in one frame are newline-separated; pongs are skipped). */
    private static JsonNode next(RawClient raw, String type) throws IOException {
        while (true) {
            RawClient.ServerFrame f = raw.read();
            assertThat(f.opcode()).as("frame before %s: %s", type, f.text()).isIn(0x1, 0xA);
            if (f.opcode() == 0xA) {
                continue;
            }
            for (String line : f.text().split("\n")) {
                JsonNode n = ChatClient.JSON.readTree(line);
                if (n.path("type").asText().equals(type)) {
                    return n;
                }
            }
        }
    }

    /** Reads to the close frame; asserts that no message was published before it, and that the server then closes. */
    private static RawClient.ServerFrame closeWithoutPublishing(RawClient raw) throws IOException {
        while (true) {
            RawClient.ServerFrame f = raw.read();
            if (f.opcode() == 0x8) {
                assertThat(raw.closedByServer()).isTrue();
                return f;
            }
            assertThat(f.opcode()).as("only text, pong or close frames: %s", f.text()).isIn(0x1, 0xA);
            assertThat(f.text()).doesNotContain("\"type\":\"message\"");
        }
    }

    private static String closeReason(RawClient.ServerFrame close) {
        return new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8);
    }

    private static byte[] send(String room, String text) {
        return ("{\"type\":\"send\",\"room\":\"" + room + "\",\"text\":\"" + text + "\",\"id\":\"x1\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ---- text across fragments ---------------------------------------------------------------

    @Test
    void aCharacterSplitAcrossTwoFragmentsArrivesIntact() throws IOException {
        try (RawClient raw = joined("frag")) {
            byte[] msg = send("frag", "a😀b");
            int emoji = indexOf(msg, (byte) 0xF0);
            raw.frame(0x1, java.util.Arrays.copyOfRange(msg, 0, emoji + 2), false); // ... F0 9F
            raw.frame(0x0, java.util.Arrays.copyOfRange(msg, emoji + 2, msg.length), true); // 98 80 ...
            assertThat(next(raw, "message").path("text").asText()).isEqualTo("a😀b");
        }
    }

    /**
     * Valid text of every UTF-8 length, split at random points (inside characters too) into
     * random fragments, with pings between them: each message arrives byte for byte.
     */
    @Test
    void randomlyFragmentedTextWithInterleavedPingsArrivesByteExact() throws IOException {
        Random random = new Random(6455);
        String[] alphabet = {"a", "Z", "é", "ß", "€", "中", "😀", "𝄞", " ", "'"};
        try (RawClient raw = joined("fuzz")) {
            for (int round = 0; round < 60; round++) {
                StringBuilder text = new StringBuilder();
                int chars = 1 + random.nextInt(60);
                for (int i = 0; i < chars; i++) {
                    text.append(alphabet[random.nextInt(alphabet.length)]);
                }
                byte[] msg = ("{\"type\":\"send\",\"room\":\"fuzz\",\"text\":\"" + text + "\",\"id\":\"f" + round + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                List<Integer> cuts = new ArrayList<>(IntStream.range(1, msg.length).boxed().toList());
                java.util.Collections.shuffle(cuts, random);
                List<Integer> points = new ArrayList<>(cuts.subList(0, random.nextInt(Math.min(12, cuts.size()))));
                points.sort(null);
                points.add(msg.length);
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                int from = 0;
                for (int p = 0; p < points.size(); p++) {
                    int to = points.get(p);
                    boolean last = p == points.size() - 1;
                    wire.writeBytes(RawClient.encode((last ? 0x80 : 0) | (p == 0 ? 0x1 : 0x0),
                                                     java.util.Arrays.copyOfRange(msg, from, to), true));
                    if (random.nextInt(3) == 0) {
                        wire.writeBytes(RawClient.encode(0x89, new byte[] {(byte) p}, true));
                    }
                    from = to;
                }
                // Written in random pieces too, so frame headers are split across reads.
                byte[] bytes = wire.toByteArray();
                for (int at = 0; at < bytes.length; ) {
                    int n = Math.min(bytes.length - at, 1 + random.nextInt(40));
                    raw.write(java.util.Arrays.copyOfRange(bytes, at, at + n));
                    at += n;
                }
                JsonNode m = next(raw, "message");
                assertThat(m.path("text").asText().getBytes(StandardCharsets.UTF_8))
                        .as("round %d", round)
                        .isEqualTo(text.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    static Stream<Arguments> invalidUtf8() {
        HexFormat hex = HexFormat.of();
        return Stream.of(
                Arguments.of("FF", List.of(hex.parseHex("FF"))),
                Arguments.of("overlong C0 AF", List.of(hex.parseHex("C0AF"))),
                Arguments.of("surrogate ED A0 80", List.of(hex.parseHex("EDA080"))),
                Arguments.of("above U+10FFFF F4 90 80 80", List.of(hex.parseHex("F4908080"))),
                Arguments.of("truncated F0 9F at the end", List.of(hex.parseHex("F09F"))),
                Arguments.of("F0 9F then ASCII, split across fragments", List.of(hex.parseHex("F09F"), hex.parseHex("4141"))),
                Arguments.of("C0 | AF split across fragments", List.of(hex.parseHex("C0"), hex.parseHex("AF"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUtf8")
    void invalidUtf8IsClosedWith1007AndNotPublished(String what, List<byte[]> bad) throws IOException {
        try (RawClient raw = joined("utf")) {
            byte[] head = "{\"type\":\"send\",\"room\":\"utf\",\"id\":\"u1\",\"text\":\"x".getBytes(StandardCharsets.UTF_8);
            byte[] tail = "\"}".getBytes(StandardCharsets.UTF_8);
            List<byte[]> fragments = new ArrayList<>();
            fragments.add(concat(head, bad.getFirst()));
            for (int i = 1; i < bad.size(); i++) {
                fragments.add(bad.get(i));
            }
            fragments.add(tail);
            for (int i = 0; i < fragments.size(); i++) {
                raw.frame(i == 0 ? 0x1 : 0x0, fragments.get(i), i == fragments.size() - 1);
            }
            RawClient.ServerFrame close = closeWithoutPublishing(raw);
            assertThat(close.closeCode()).isEqualTo(1007);
        }
    }

    // ---- framing rules -----------------------------------------------------------------------

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedOpcodesAreClosedWith1002(int opcode) throws IOException {
        try (RawClient raw = joined("ops")) {
            raw.frame(opcode, "{}".getBytes(StandardCharsets.UTF_8), true);
            RawClient.ServerFrame close = closeWithoutPublishing(raw); // a WebSocket frame, not "HTTP/1.1 500"
            assertThat(close.closeCode()).isEqualTo(1002);
            assertThat(closeReason(close)).isEqualTo("protocol error");
        }
    }

    static Stream<Arguments> brokenFrames() {
        byte[] send = send("rules", "never published");
        return Stream.of(
                Arguments.of("ping with a 126-byte payload", List.of(RawClient.encode(0x89, new byte[126], true))),
                Arguments.of("fragmented ping (FIN=0)",
                             List.of(RawClient.encode(0x09, new byte[] {1}, true), RawClient.encode(0x80, send, true))),
                Arguments.of("continuation with no message open",
                             List.of(RawClient.encode(0x80, send, true))),
                Arguments.of("continuation after a complete message",
                             List.of(RawClient.encode(0x81, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8), true),
                                     RawClient.encode(0x80, send, true))),
                Arguments.of("new text frame while a fragmented message is open",
                             List.of(RawClient.encode(0x01, java.util.Arrays.copyOf(send, 10), true),
                                     RawClient.encode(0x81, send, true))),
                Arguments.of("unmasked client frame", List.of(RawClient.encode(0x81, send, false))),
                Arguments.of("RSV1 set", List.of(RawClient.encode(0xC1, send, true))),
                Arguments.of("RSV3 set on a ping", List.of(RawClient.encode(0x99, new byte[0], true))),
                Arguments.of("close frame with a 1-byte payload", List.of(RawClient.encode(0x88, new byte[] {3}, true))),
                Arguments.of("close payload over 125 bytes",
                             List.of(RawClient.encode(0x88, RawClient.closePayload(1000, new byte[124]), true))),
                Arguments.of("fragmented close frame", List.of(RawClient.encode(0x08, RawClient.closePayload(1000, new byte[0]), true))),
                Arguments.of("a 16-bit length for a short text frame", List.of(longForm(0x81, send, 2))),
                Arguments.of("a 64-bit length for a short text frame", List.of(longForm(0x81, send, 8))),
                Arguments.of("a 64-bit length for a 200-byte text frame", List.of(longForm(0x81, java.util.Arrays.copyOf(send, 200), 8))),
                Arguments.of("a 16-bit length for a close frame", List.of(longForm(0x88, RawClient.closePayload(1000, new byte[0]), 2))));
    }

    /** A masked frame whose length takes {@code lengthBytes} (2 or 8) whatever it is: §5.2 asks for the shortest form. */
    private static byte[] longForm(int b0, byte[] payload, int lengthBytes) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(b0);
        out.write(0x80 | (lengthBytes == 2 ? 126 : 127));
        for (int i = lengthBytes - 1; i >= 0; i--) {
            out.write((int) ((long) payload.length >>> (8 * i)));
        }
        byte[] mask = {1, 2, 3, 4};
        out.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i & 3]);
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFrames")
    void brokenFramingIsClosedWith1002(String what, List<byte[]> frames) throws IOException {
        try (RawClient raw = joined("rules")) {
            for (byte[] f : frames) {
                raw.write(f);
            }
            RawClient.ServerFrame close = closeWithoutPublishing(raw);
            assertThat(close.closeCode()).isEqualTo(1002);
            assertThat(closeReason(close)).isEqualTo("protocol error"); // never an exception's text
        }
    }

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void invalidCloseCodesAreAnsweredWith1002(int code) throws IOException {
        try (RawClient raw = joined("codes")) {
            raw.frame(0x8, RawClient.closePayload(code, "bye".getBytes(StandardCharsets.UTF_8)), true);
            assertThat(closeWithoutPublishing(raw).closeCode()).isEqualTo(1002);
        }
    }

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void validCloseCodesAreEchoed(int code) throws IOException {
        try (RawClient raw = joined("codes")) {
            raw.frame(0x8, RawClient.closePayload(code, "bye".getBytes(StandardCharsets.UTF_8)), true);
            assertThat(closeWithoutPublishing(raw).closeCode()).isEqualTo(code);
        }
    }

    @Test
    void anEmptyCloseIsAnsweredWithAnEmptyClose() throws IOException {
        try (RawClient raw = joined("codes")) {
            raw.frame(0x8, new byte[0], true);
            RawClient.ServerFrame close = closeWithoutPublishing(raw);
            assertThat(close.payload()).isEmpty();
        }
    }

    @Test
    void aCloseReasonThatIsNotUtf8IsAnsweredWith1007() throws IOException {
        try (RawClient raw = joined("codes")) {
            raw.frame(0x8, RawClient.closePayload(1000, HexFormat.of().parseHex("CEBAE1BDB9CF83CEBCCEB5EDA080")), true);
            assertThat(closeWithoutPublishing(raw).closeCode()).isEqualTo(1007);
        }
    }

    @Test
    void aMessageOverTheLimitIsClosedWith1009() throws IOException {
        try (RawClient raw = joined("big")) {
            byte[] chunk = "x".repeat(12_000).getBytes(StandardCharsets.UTF_8);
            raw.frame(0x1, chunk, false);
            raw.frame(0x0, chunk, true);
            assertThat(closeWithoutPublishing(raw).closeCode()).isEqualTo(1009);
        }
    }

    /** Ping and pong, and control frames between fragments, are fine: the message still arrives. */
    @Test
    void controlFramesBetweenFragmentsAreAnswered() throws IOException {
        try (RawClient raw = joined("ctl")) {
            byte[] msg = send("ctl", "between");
            raw.write(concat(RawClient.encode(0x01, java.util.Arrays.copyOf(msg, 5), true),
                             RawClient.encode(0x89, "p1".getBytes(StandardCharsets.UTF_8), true),
                             RawClient.encode(0x8A, new byte[0], true),
                             RawClient.encode(0x80, java.util.Arrays.copyOfRange(msg, 5, msg.length), true)));
            RawClient.ServerFrame pong = raw.read();
            assertThat(pong.opcode()).isEqualTo(0xA);
            assertThat(pong.text()).isEqualTo("p1");
            assertThat(next(raw, "message").path("text").asText()).isEqualTo("between");
        }
    }

    /** Frames sent in the same write as the upgrade request are read after it, not lost. */
    @Test
    void framesRightBehindTheUpgradeRequestAreRead() throws IOException {
        String head = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + ws.getPort() + "\r\nUpgrade: websocket\r\n"
                      + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + RawClient.key() + "\r\n\r\n";
        byte[] join = "{\"type\":\"join\",\"room\":\"early\",\"name\":\"early\"}".getBytes(StandardCharsets.UTF_8);
        byte[] msg = send("early", "é at once");
        try (RawClient raw = RawClient.request(ws, concat(head.getBytes(StandardCharsets.US_ASCII),
                                                          RawClient.encode(0x81, join, true),
                                                          RawClient.encode(0x01, java.util.Arrays.copyOf(msg, 40), true),
                                                          RawClient.encode(0x80, java.util.Arrays.copyOfRange(msg, 40, msg.length), true)))) {
            assertThat(raw.status()).isEqualTo(101);
            assertThat(next(raw, "message").path("text").asText()).isEqualTo("é at once");
        }
    }

    /** A client breaking the rules disturbs no one else in its room. */
    @Test
    void othersAreUnaffected() throws IOException {
        try (ChatClient bystander = ChatClient.joined(ws, "shared", "bystander");
             RawClient raw = joined("shared")) {
            raw.frame(0x3, new byte[0], true);
            assertThat(closeWithoutPublishing(raw).closeCode()).isEqualTo(1002);
            long seq = bystander.sayAndAwaitAck("shared", "still fine");
            assertThat(bystander.next("message").path("seq").asLong()).isEqualTo(seq);
        }
    }

    /** Hostile input must not buy log lines: no warning and no stack trace per connection. */
    @Test
    void violationsLogNoWarningOrStackTrace() throws IOException {
        List<java.util.logging.LogRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try {
            for (int opcode : new int[] {3, 0xB}) {
                try (RawClient raw = joined("gone")) {
                    raw.frame(opcode, new byte[0], true);
                    assertThat(closeWithoutPublishing(raw).closeCode()).isEqualTo(1002);
                }
            }
            try (RawClient raw = joined("gone")) {
                raw.frame(0x8, new byte[] {1}, true);
                assertThat(closeWithoutPublishing(raw).closeCode()).isEqualTo(1002);
            }
        } finally {
            root.removeHandler(capture);
        }
        synchronized (records) {
            assertThat(records).noneMatch(r -> r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()
                                               || r.getThrown() != null);
        }
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
