package dev.parley.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Builds whole RFC 6455 frames as byte arrays, ready for one socket write. */
final class FrameEncoder {

    private FrameEncoder() {
    }

    /** A client frame: RFC 6455 section 5.3 requires every client-to-server frame to be masked. */
    static byte[] masked(int opcode, byte[] payload) {
        int n = payload.length;
        int header = headerLength(n) + 4;
        byte[] frame = new byte[header + n];
        int at = writeHeader(frame, opcode, n, true);
        int key = ThreadLocalRandom.current().nextInt();
        for (int i = 0; i < 4; i++) {
            frame[at + i] = (byte) (key >>> (24 - 8 * i));
        }
        for (int i = 0; i < n; i++) {
            frame[header + i] = (byte) (payload[i] ^ frame[at + (i & 3)]);
        }
        return frame;
    }

    static byte[] maskedText(String text) {
        return masked(FrameDecoder.OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] maskedClose(int code) {
        return masked(FrameDecoder.OP_CLOSE, new byte[] {(byte) (code >>> 8), (byte) code});
    }

    /** A server frame (unmasked); used only by the calibration server. */
    static byte[] unmasked(int opcode, byte[] payload) {
        int n = payload.length;
        byte[] frame = new byte[headerLength(n) + n];
        int at = writeHeader(frame, opcode, n, false);
        System.arraycopy(payload, 0, frame, at, n);
        return frame;
    }

    private static int headerLength(int n) {
        return n < 126 ? 2 : n < 65536 ? 4 : 10;
    }

    /** Writes FIN + opcode and the length; returns the index after the header (mask key goes there). */
    private static int writeHeader(byte[] f, int opcode, int n, boolean masked) {
        f[0] = (byte) (0x80 | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (n < 126) {
            f[1] = (byte) (maskBit | n);
            return 2;
        }
        if (n < 65536) {
            f[1] = (byte) (maskBit | 126);
            f[2] = (byte) (n >>> 8);
            f[3] = (byte) n;
            return 4;
        }
        f[1] = (byte) (maskBit | 127);
        for (int i = 0; i < 8; i++) {
            f[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
        }
        return 10;
    }
}
