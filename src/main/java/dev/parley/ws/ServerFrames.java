package dev.parley.ws;

import java.nio.charset.StandardCharsets;

/** Encodes frames the server sends (RFC 6455 §5.2: never masked). */
final class ServerFrames {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private ServerFrames() {
    }

    /** Bytes of a frame header for a payload of this length. */
    static int headerLength(long payload) {
        return payload < 126 ? 2 : payload < 65536 ? 4 : 10;
    }

    /** Writes a final frame's header at {@code at}; returns where the payload starts. */
    static int header(byte[] dst, int at, int opcode, long payload) {
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

    /** A complete frame around {@code payload}. */
    static byte[] frame(int opcode, byte[] payload) {
        byte[] f = new byte[headerLength(payload.length) + payload.length];
        int at = header(f, 0, opcode, payload.length);
        System.arraycopy(payload, 0, f, at, payload.length);
        return f;
    }

    /** A close frame's payload: the code, then the reason; code 1005 ("none") is sent as an empty payload. */
    static byte[] closePayload(int code, String reason) {
        if (code == 1005) {
            return new byte[0];
        }
        byte[] r = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(r.length, 123); // a control frame holds at most 125 bytes
        byte[] p = new byte[2 + n];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, n);
        return p;
    }
}
