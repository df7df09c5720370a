package dev.parley.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A calibration server connection's unread bytes: the HTTP request head until the upgrade, then
 * frames. Grows when a read would find it full; keeps what a decode leaves for the next read.
 * Used by one thread at a time (the selector, or the connection's reader).
 */
final class ReadBuffer {
    byte[] buf = new byte[8192];
    /** Bytes held: buf[0 .. lim). */
    int lim;

    /** Doubles the buffer when it is full, so that the next read has room. */
    void makeRoom() {
        if (lim == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
    }

    /** The request head (without its blank line) once it is complete, else null. */
    String head() {
        String text = new String(buf, 0, lim, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        return end < 0 ? null : text.substring(0, end);
    }

    /** Drops the first {@code pos} bytes (a head with its blank line, or decoded frames). */
    void consume(int pos) {
        System.arraycopy(buf, pos, buf, 0, lim - pos);
        lim -= pos;
    }
}
