package dev.parley.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One encoded server object, as UTF-8 bytes: encoded once per broadcast, then shared by every
 * outbox it is offered to and copied straight into each socket write. Keeping bytes rather than
 * a String saves the per-recipient {@code String.getBytes} that Helidon's text send would do
 * (JFR at 400k deliveries/s: 29 % of all allocation, bench/README.md). Encoding per recipient
 * instead of once costs 7–11× at 10 recipients and 108–266× at 1,000 (EncodeOnceBenchmark).
 */
public final class Frame {
    /**
     * Upper bound of one coalesced text frame (a room's batch, a writer's write): large enough to
     * amortise a write, small enough for any client.
     */
    public static final int MAX_BATCH_BYTES = 32 * 1024;

    private final byte[] utf8;
    /** How many JSON objects the bytes hold, newline-separated (docs/protocol.md). */
    private final int count;
    /**
     * The bytes as one WebSocket text frame, header included; built by the first writer that
     * sends this frame alone, then shared read-only by every other (a racing second build is
     * harmless: same bytes).
     */
    private volatile byte[] wire;

    private Frame(byte[] utf8, int count) {
        this.utf8 = utf8;
        this.count = count;
    }

    public static Frame of(String json) {
        return new Frame(json.getBytes(StandardCharsets.UTF_8), 1);
    }

    /** Takes ownership of {@code utf8}: the caller must not change it afterwards. */
    static Frame wrap(byte[] utf8) {
        return new Frame(utf8, 1);
    }

    /**
     * The frames {@code from} (inclusive) to {@code to} (exclusive) as one, newline-separated: a
     * room encodes a batch once for all its members, as it does a single message.
     */
    public static Frame join(List<Frame> frames, int from, int to) {
        if (to - from == 1) {
            return frames.get(from);
        }
        int size = to - from - 1;
        int count = 0;
        for (int i = from; i < to; i++) {
            size += frames.get(i).bytes();
            count += frames.get(i).count;
        }
        byte[] joined = new byte[size];
        copyJoined(frames, from, to, joined, 0);
        return new Frame(joined, count);
    }

    /**
     * Copies frames {@code from} to {@code to} (exclusive) into {@code dst} at {@code offset},
     * newline-separated, as a room's batch and a writer's write lay them out; returns the offset
     * after them.
     */
    public static int copyJoined(List<Frame> frames, int from, int to, byte[] dst, int offset) {
        int at = offset;
        for (int i = from; i < to; i++) {
            if (i > from) {
                dst[at++] = '\n';
            }
            at = frames.get(i).copyTo(dst, at);
        }
        return at;
    }

    /** How many server objects this frame holds (what the outbox's message bound counts). */
    public int count() {
        return count;
    }

    /** Size in bytes on the wire (what the outbox bounds). */
    public int bytes() {
        return utf8.length;
    }

    /** Copies the bytes into {@code dst} at {@code offset}; returns the offset after them. */
    public int copyTo(byte[] dst, int offset) {
        System.arraycopy(utf8, 0, dst, offset, utf8.length);
        return offset + utf8.length;
    }

    /**
     * This frame as it goes on the wire, as one final text frame (RFC 6455 §5.2: a server's
     * frames are unmasked, so the bytes are the same for every recipient). Built once; the caller
     * must not change the array.
     */
    public byte[] wire() {
        byte[] w = wire;
        if (w == null) {
            w = new byte[headerLength(utf8.length) + utf8.length];
            System.arraycopy(utf8, 0, w, header(w, 0, TEXT, utf8.length), utf8.length);
            wire = w;
        }
        return w;
    }

    /** RFC 6455 opcode of a text frame. */
    public static final int TEXT = 0x1;

    /** Bytes of a server frame's header (RFC 6455 §5.2: unmasked, shortest length) for a payload of this length. */
    public static int headerLength(long payload) {
        return payload < 126 ? 2 : payload < 65536 ? 4 : 10;
    }

    /** Writes a final, unmasked frame's header at {@code at}; returns where the payload starts. */
    public static int header(byte[] dst, int at, int opcode, long payload) {
        dst[at] = (byte) (0x80 | opcode);
        if (payload < 126) {
            dst[at + 1] = (byte) payload;
            return at + 2;
        }
        if (payload < 65536) {
            dst[at + 1] = 126;
            dst[at + 2] = (byte) (payload >>> 8);
            dst[at + 3] = (byte) payload;
            return at + 4;
        }
        dst[at + 1] = 127;
        for (int i = 0; i < 8; i++) {
            dst[at + 2 + i] = (byte) (payload >>> (56 - 8 * i));
        }
        return at + 10;
    }

    /** The JSON text (for logs, tests and splicing; the write path never needs it). */
    public String json() {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return json();
    }
}
