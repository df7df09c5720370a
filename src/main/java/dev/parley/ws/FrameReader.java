package dev.parley.ws;

import java.io.EOFException;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.HelidonSocket;

/**
 * Reads client frames from the socket: what the upgrade request left in Helidon's reader first,
 * then the socket's own reads. Holds no buffer of its own between reads — an idle connection
 * waits in the socket's read with nothing of Parley's allocated (Helidon 4.1.2's socket keeps its
 * fixed 8 KiB read array either way; only reflection could shrink it). Reader thread only.
 */
final class FrameReader {
    /**
     * A frame's header (RFC 6455 §5.2); the payload is read next with {@link #payload} or
     * {@link #skip}. {@code minimal}: the length took the fewest bytes that hold it, as §5.2 requires.
     */
    record Header(boolean fin, int rsv, int opcode, boolean masked, long length, boolean minimal, byte[] mask) {
        boolean control() {
            return (opcode & 0x8) != 0;
        }
    }

    private final HelidonSocket socket;
    /** The bytes of the last read not yet consumed, from {@link #at}; null when all are. */
    private byte[] chunk;
    private int at;

    FrameReader(HelidonSocket socket, DataReader upgradeReader) {
        this.socket = socket;
        int left = upgradeReader.available();
        this.chunk = left > 0 ? upgradeReader.readBytes(left) : null;
    }

    Header header() throws EOFException {
        int b0 = next();
        int b1 = next();
        long length = b1 & 0x7F;
        boolean minimal = true;
        if (length == 126) {
            length = ((long) next() << 8) | next();
            minimal = length > 125;
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | next(); // a set top bit makes it negative: refused by the caller
            }
            minimal = length > 0xFFFF;
        }
        boolean masked = (b1 & 0x80) != 0;
        byte[] mask = null;
        if (masked) {
            mask = new byte[] {(byte) next(), (byte) next(), (byte) next(), (byte) next()};
        }
        return new Header((b0 & 0x80) != 0, (b0 >>> 4) & 0x7, b0 & 0x0F, masked, length, minimal, mask);
    }

    /** Reads the payload (the caller bounds its length) into {@code dst} at {@code offset}, unmasked. */
    void payload(Header h, byte[] dst, int offset) throws EOFException {
        int n = (int) h.length();
        int done = 0;
        while (done < n) {
            done += take(dst, offset + done, n - done);
        }
        if (h.masked()) {
            byte[] mask = h.mask();
            for (int i = 0; i < n; i++) {
                dst[offset + i] ^= mask[i & 3];
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

    /** Moves up to {@code max} bytes into {@code dst} (or drops them when null); reads the socket when none are left. */
    private int take(byte[] dst, int offset, int max) throws EOFException {
        fill();
        int k = Math.min(max, chunk.length - at);
        if (dst != null) {
            System.arraycopy(chunk, at, dst, offset, k);
        }
        consumed(k);
        return k;
    }

    private int next() throws EOFException {
        fill();
        int b = chunk[at] & 0xFF;
        consumed(1);
        return b;
    }

    private void consumed(int k) {
        at += k;
        if (at == chunk.length) {
            chunk = null;
        }
    }

    private void fill() throws EOFException {
        if (chunk == null) {
            byte[] read = socket.get(); // a copy of what one read returned; null at end of stream
            if (read == null || read.length == 0) {
                throw new EOFException();
            }
            chunk = read;
            at = 0;
        }
    }
}
