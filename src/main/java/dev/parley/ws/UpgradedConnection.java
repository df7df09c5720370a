package dev.parley.ws;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Semaphore;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsListener;

import dev.parley.protocol.CloseReason;

/**
 * One upgraded socket, read by Parley itself so that RFC 6455 holds (Helidon 4.1.2's own
 * connection decodes each text fragment on its own, checks little, and reports no end). Runs on
 * Helidon's thread for the socket, which thereby is the connection's reader: it parses frames
 * (§5), assembles text messages as bytes and decodes each once with a strict decoder, and drives
 * the route's {@link WsListener}, one per connection. A violation fails the connection with 1002,
 * 1007 or 1009 (through the listener, whose single writer sends the close frame); the reader then
 * skips everything but a close frame. On every way out the socket is closed and the listener's
 * {@link ConnectionEnded} runs, exactly once.
 */
final class UpgradedConnection implements ServerConnection {
    private static final System.Logger LOG = System.getLogger(UpgradedConnection.class.getName());
    private static final int MAX_CONTROL_PAYLOAD = 125;

    private final StrictSession session;
    private final WsListener listener;
    private final FrameReader in;
    private final int maxMessageBytes;
    // Reader thread only, below.
    /** Opcode of the fragmented message being received (TEXT or BINARY), 0 when none is open. */
    private int open;
    /** The open text message's bytes so far; null between messages. */
    private byte[] message;
    private int messageLength;
    /** The first violation; once set, frames are skipped until a close frame or the end. */
    private CloseReason failed;

    UpgradedConnection(ConnectionContext ctx, WsListener listener, int maxMessageBytes) {
        this.session = new StrictSession(ctx);
        this.listener = listener;
        this.in = new FrameReader(ctx.serverSocket(), ctx.dataReader());
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void handle(Semaphore requestSemaphore) {
        try {
            listener.onOpen(session);
            read();
        } catch (EOFException e) {
            LOG.log(System.Logger.Level.DEBUG, "end of stream");
        } catch (RuntimeException e) {
            // A reset, a socket closed under us (abort, server stop), or a bug in a callback:
            // per connection, so DEBUG only (a hostile client must not be able to flood the log).
            LOG.log(System.Logger.Level.DEBUG, () -> "connection ended: " + e);
        } finally {
            session.closeSocket();
            if (listener instanceof ConnectionEnded ended) {
                ended.connectionEnded();
            }
        }
    }

    /** Parley keeps time itself (idle timeout with a close frame); Helidon's idle check never drops this. */
    @Override
    public Duration idleTime() {
        return Duration.ZERO;
    }

    /** Server stop: the socket is closed, so the reader ends and the end callback runs. */
    @Override
    public void close(boolean interrupt) {
        SocketAbort.abort(session);
    }

    private void read() throws EOFException {
        while (true) {
            FrameReader.Header h = in.header();
            if (h.opcode() == ServerFrames.CLOSE) {
                closeFrame(h);
                return;
            }
            if (failed != null) {
                in.skip(h.length());
                continue;
            }
            String broken = broken(h);
            if (broken != null) {
                fail(CloseReason.PROTOCOL_ERROR, broken);
                in.skip(h.length());
                continue;
            }
            switch (h.opcode()) {
                case ServerFrames.PING -> listener.onPing(session, BufferData.create(in.payload(h)));
                case ServerFrames.PONG -> listener.onPong(session, BufferData.create(in.payload(h)));
                default -> data(h);
            }
        }
    }

    /** Why a frame header breaks RFC 6455 §5 (close frames aside), or null. */
    private String broken(FrameReader.Header h) {
        if (h.rsv() != 0) {
            return "reserved bits set"; // no extension is negotiated
        }
        if (!h.masked()) {
            return "unmasked client frame";
        }
        if (h.length() < 0) {
            return "length out of range";
        }
        if (!h.minimal()) {
            return "length not in its shortest form";
        }
        int op = h.opcode();
        if (h.control()) {
            if (op != ServerFrames.PING && op != ServerFrames.PONG) {
                return "reserved opcode " + op;
            }
            if (!h.fin()) {
                return "fragmented control frame";
            }
            if (h.length() > MAX_CONTROL_PAYLOAD) {
                return "control frame over 125 bytes";
            }
            return null;
        }
        if (op == ServerFrames.CONTINUATION) {
            return open == 0 ? "continuation with no message open" : null;
        }
        if (op != ServerFrames.TEXT && op != ServerFrames.BINARY) {
            return "reserved opcode " + op;
        }
        return open != 0 ? "new message inside a fragmented one" : null;
    }

    private void data(FrameReader.Header h) throws EOFException {
        int op = h.opcode() == ServerFrames.CONTINUATION ? open : h.opcode();
        if (h.length() > maxMessageBytes - (long) messageLength) {
            fail(CloseReason.TOO_BIG, "message over " + maxMessageBytes + " bytes");
            in.skip(h.length());
            return;
        }
        open = h.fin() ? 0 : op;
        if (op == ServerFrames.BINARY) {
            messageLength = h.fin() ? 0 : messageLength + (int) h.length();
            listener.onMessage(session, BufferData.create(in.payload(h)), h.fin());
            return;
        }
        int n = (int) h.length();
        if (message == null) {
            message = new byte[Math.max(n, 64)];
        } else if (message.length < messageLength + n) {
            message = Arrays.copyOf(message, Math.max(messageLength + n, Math.min(maxMessageBytes, message.length * 2)));
        }
        in.payload(h, message, messageLength);
        messageLength += n;
        if (!h.fin()) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(message, 0, messageLength);
        message = null;
        messageLength = 0;
        String text = strictUtf8(bytes);
        if (text == null) {
            fail(CloseReason.INVALID_UTF8, "text message is not valid UTF-8");
            return;
        }
        listener.onMessage(session, text, true);
    }

    /**
     * The client's close frame: checked (§5.5.1, §7.4), reported, answered unless the server sent
     * its own close already — by this thread, once the listener has stopped the writer.
     */
    private void closeFrame(FrameReader.Header h) throws EOFException {
        int code = 1005;
        String reason = "";
        if (h.rsv() != 0 || !h.masked() || !h.fin() || !h.minimal() || h.length() > MAX_CONTROL_PAYLOAD || h.length() < 0) {
            fail(CloseReason.PROTOCOL_ERROR, "malformed close frame");
        } else {
            byte[] p = in.payload(h);
            if (p.length == 1) {
                fail(CloseReason.PROTOCOL_ERROR, "close payload of one byte");
            } else if (p.length >= 2) {
                code = ((p[0] & 0xFF) << 8) | (p[1] & 0xFF);
                String r = strictUtf8(ByteBuffer.wrap(p, 2, p.length - 2));
                if (!validCloseCode(code)) {
                    fail(CloseReason.PROTOCOL_ERROR, "close code " + code);
                } else if (r == null) {
                    fail(CloseReason.INVALID_UTF8, "close reason is not valid UTF-8");
                } else {
                    reason = r;
                }
            }
        }
        listener.onClose(session, failed != null ? failed.code() : code, failed != null ? failed.reason() : reason);
        if (!session.closeSent()) {
            CloseReason r = failed;
            session.write(ServerFrames.frame(ServerFrames.CLOSE,
                                             r != null ? ServerFrames.closePayload(r.code(), r.reason())
                                                       : ServerFrames.closePayload(code, reason)), true);
        }
    }

    /** The first violation is reported to the listener, which closes with its code; later ones change nothing. */
    private void fail(CloseReason reason, String detail) {
        message = null;
        messageLength = 0;
        open = 0;
        if (failed == null) {
            failed = reason;
            LOG.log(System.Logger.Level.DEBUG, () -> "failing connection: " + detail);
            listener.onError(session, new WsViolation(reason, detail));
        }
    }

    /** RFC 6455 §7.4: codes a peer may send (1004-1006 and 1015 are reserved; 1012-1014 registered since). */
    static boolean validCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /** Null when the bytes are not valid UTF-8 (overlongs, surrogates, code points above U+10FFFF included). */
    static String strictUtf8(ByteBuffer bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return d.decode(bytes).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
