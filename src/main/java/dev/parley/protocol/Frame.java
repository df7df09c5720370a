package dev.parley.protocol;

import java.nio.charset.StandardCharsets;

/**
 * One encoded server object, as UTF-8 bytes: encoded once per broadcast, then shared by every
 * outbox it is offered to and copied straight into each socket write. Keeping bytes rather than
 * a String saves the per-recipient {@code String.getBytes} that Helidon's text send would do
 * (JFR at 400k deliveries/s: 29 % of all allocation, bench/README.md). Encoding per recipient
 * instead of once costs 7–11× at 10 recipients and 108–266× at 1,000 (EncodeOnceBenchmark).
 */
public final class Frame {
    private final byte[] utf8;

    private Frame(byte[] utf8) {
        this.utf8 = utf8;
    }

    public static Frame of(String json) {
        return new Frame(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Takes ownership of {@code utf8}: the caller must not change it afterwards. */
    static Frame wrap(byte[] utf8) {
        return new Frame(utf8);
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

    /** The JSON text (for logs, tests and splicing; the write path never needs it). */
    public String json() {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return json();
    }
}
