package dev.parley.ws;

import java.io.EOFException;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.HelidonSocket;

/**
 * Reads client frames from the socket into a buffer of Parley's size: what the upgrade request
 * left in Helidon's reader first, then the socket itself. Reader thread only.
 */
final class FrameReader {
    /**
     * Chat frames are small; a larger one takes a few more reads. Held for the connection's life,
     * so it counts in the idle memory per connection (bench/README.md, "Idle memory").
     */
    static final int READ_BUFFER_BYTES = 2048;

    /** A frame's header (RFC 6455 §5.2); the payload is read next with {@link #payload} or {@link #skip}. */
    record Header(boolean fin, int rsv, int opcode, boolean masked, long length, byte[] mask) {
        boolean control() {
            return (opcode & 0x8) != 0;
        }
    }

    private final HelidonSocket socket;
    private final BufferData buffer = BufferData.create(READ_BUFFER_BYTES);
    /** Bytes that arrived with the upgrade request, read before the socket; null once consumed. */
    private byte[] early;
    private int earlyAt;

    FrameReader(HelidonSocket socket, DataReader upgradeReader) {
        this.socket = socket;
        int left = upgradeReader.available();
        this.early = left > 0 ? upgradeReader.readBytes(left) : null;
        buffer.clear();
    }

    Header header() throws EOFException {
        int b0 = next();
        int b1 = next();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = ((long) next() << 8) | next();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | next(); // a set top bit makes it negative: refused by the caller
            }
        }
        boolean masked = (b1 & 0x80) != 0;
        byte[] mask = null;
        if (masked) {
            mask = new byte[] {(byte) next(), (byte) next(), (byte) next(), (byte) next()};
        }
        return new Header((b0 & 0x80) != 0, (b0 >>> 4) & 0x7, b0 & 0x0F, masked, length, mask);
    }

    /** Reads the payload (the caller bounds its length) into {@code dst} at {@code at}, unmasked. */
    void payload(Header h, byte[] dst, int at) throws EOFException {
        int n = (int) h.length();
        int done = 0;
        while (done < n) {
            done += take(dst, at + done, n - done);
        }
        if (h.masked()) {
            byte[] mask = h.mask();
            for (int i = 0; i < n; i++) {
                dst[at + i] ^= mask[i & 3];
            }
        }
    }

    byte[] payload(Header h) throws EOFException {
        byte[] p = new byte[(int) h.length()];
        payload(h, p, 0);
        return p;
    }

    /** Discards a payload unread (a failed connection resynchronises on the next header). */
    void skip(long length) throws EOFException {
        long left = length;
        while (left > 0) {
            left -= take(null, 0, (int) Math.min(left, Integer.MAX_VALUE));
        }
    }

    /** Moves up to {@code max} available bytes into {@code dst} (or drops them when null); reads the socket when none are. */
    private int take(byte[] dst, int at, int max) throws EOFException {
        if (early != null) {
            int k = Math.min(max, early.length - earlyAt);
            if (dst != null) {
                System.arraycopy(early, earlyAt, dst, at, k);
            }
            earlyAt += k;
            if (earlyAt == early.length) {
                early = null;
            }
            return k;
        }
        fill();
        int k = Math.min(max, buffer.available());
        if (dst != null) {
            buffer.read(dst, at, k);
        } else {
            buffer.skip(k);
        }
        return k;
    }

    private void fill() throws EOFException {
        if (buffer.available() == 0) {
            buffer.clear();
            if (socket.read(buffer) <= 0) {
                throw new EOFException();
            }
        }
    }

    private int next() throws EOFException {
        if (early != null) {
            int b = early[earlyAt++] & 0xFF;
            if (earlyAt == early.length) {
                early = null;
            }
            return b;
        }
        fill();
        return buffer.read();
    }
}
