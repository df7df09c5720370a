package dev.parley.ws;

import java.nio.charset.StandardCharsets;

import dev.parley.protocol.Frame;

/** Encodes the control frames the server sends (RFC 6455 §5.2: never masked; headers by {@link Frame#header}). */
final class ServerFrames {
    static final int CONTINUATION = 0x0;
    static final int TEXT = Frame.TEXT;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private ServerFrames() {
    }

    /** A complete frame around {@code payload}. */
    static byte[] frame(int opcode, byte[] payload) {
        byte[] f = new byte[Frame.headerLength(payload.length) + payload.length];
        int at = Frame.header(f, 0, opcode, payload.length);
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
