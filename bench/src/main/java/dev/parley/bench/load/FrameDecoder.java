package dev.parley.bench.load;

import java.io.IOException;
import java.net.ProtocolException;
import java.util.Arrays;

/**
 * Incremental RFC 6455 frame decoder working in place on a connection's read buffer.
 *
 * <p>It never copies an unfragmented text frame: the sink sees the payload where it lies in the
 * read buffer, which is what keeps the generator's cost per delivery at one socket read plus a
 * byte scan. Fragmented messages are reassembled into a private buffer. Masked frames are
 * unmasked in place, so the same decoder serves the calibration server, which reads client
 * frames.
 */
final class FrameDecoder {

    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;

    /** Receives whole messages and control frames, in wire order, on the reading thread. */
    interface Sink {
        void onText(byte[] b, int off, int len) throws IOException;

        void onPing(byte[] b, int off, int len) throws IOException;

        /** {@code code} is 1005 when the close frame carried no status code. */
        void onClose(int code) throws IOException;
    }

    /** Larger frames are a protocol error for a chat client; also bounds buffer growth. */
    private final int maxMessageBytes;

    /** Reassembly of a fragmented text message; null until the first fragment arrives. */
    private byte[] fragments;
    /** Bytes of {@link #fragments} in use; -1 while no fragmented message is in progress. */
    private int fragmentsLen = -1;
    /** Total bytes the next frame needs, valid after {@link #decode} stopped on a partial frame. */
    private int needed;

    FrameDecoder(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Decodes every complete frame in {@code b[pos, lim)} and returns the position after the
     * last one; the caller keeps the rest for the next read. {@link #needed()} then says how
     * large the partial frame is, so the caller can grow its buffer.
     */
    int decode(byte[] b, int pos, int lim, Sink sink) throws IOException {
        while (true) {
            int avail = lim - pos;
            if (avail < 2) {
                needed = 2;
                return pos;
            }
            int b0 = b[pos] & 0xff;
            int b1 = b[pos + 1] & 0xff;
            if ((b0 & 0x70) != 0) {
                throw new ProtocolException("RSV bits set without a negotiated extension");
            }
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0f;
            boolean masked = (b1 & 0x80) != 0;
            long len = b1 & 0x7f;
            int header = 2;
            if (len == 126) {
                if (avail < 4) {
                    needed = 4;
                    return pos;
                }
                len = ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
                header = 4;
            } else if (len == 127) {
                if (avail < 10) {
                    needed = 10;
                    return pos;
                }
                len = 0;
                for (int i = 2; i < 10; i++) {
                    len = (len << 8) | (b[pos + i] & 0xff);
                }
                header = 10;
            }
            if (len > maxMessageBytes) {
                throw new ProtocolException("frame of " + len + " bytes exceeds " + maxMessageBytes);
            }
            int maskAt = pos + header;
            if (masked) {
                header += 4;
            }
            int total = header + (int) len;
            if (avail < total) {
                needed = total;
                return pos;
            }
            int p = pos + header;
            int n = (int) len;
            if (masked) {
                for (int i = 0; i < n; i++) {
                    b[p + i] ^= b[maskAt + (i & 3)];
                }
            }
            switch (opcode) {
                case OP_TEXT -> {
                    if (fragmentsLen >= 0) {
                        throw new ProtocolException("text frame inside a fragmented message");
                    }
                    if (fin) {
                        sink.onText(b, p, n);
                    } else {
                        fragmentsLen = 0;
                        append(b, p, n);
                    }
                }
                case OP_CONTINUATION -> {
                    if (fragmentsLen < 0) {
                        throw new ProtocolException("continuation frame without a message");
                    }
                    append(b, p, n);
                    if (fin) {
                        int whole = fragmentsLen;
                        fragmentsLen = -1;
                        sink.onText(fragments, 0, whole);
                    }
                }
                case OP_CLOSE -> sink.onClose(n >= 2 ? ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff) : 1005);
                case OP_PING -> sink.onPing(b, p, n);
                case OP_PONG, OP_BINARY -> {
                    // Parley never sends binary; unsolicited pongs are allowed and carry nothing.
                }
                default -> throw new ProtocolException("unknown opcode " + opcode);
            }
            pos += total;
        }
    }

    int needed() {
        return needed;
    }

    private void append(byte[] b, int off, int n) throws ProtocolException {
        int size = fragmentsLen + n;
        if (size > maxMessageBytes) {
            throw new ProtocolException("fragmented message exceeds " + maxMessageBytes + " bytes");
        }
        if (fragments == null || fragments.length < size) {
            byte[] old = fragments == null ? new byte[0] : fragments;
            fragments = Arrays.copyOf(old, Math.max(size, Math.max(4096, 2 * old.length)));
        }
        System.arraycopy(b, off, fragments, fragmentsLen, n);
        fragmentsLen = size;
    }
}
