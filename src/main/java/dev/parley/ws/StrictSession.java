package dev.parley.ws;

import java.nio.charset.StandardCharsets;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.SocketContext;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;

/**
 * The write side of one upgraded connection. Writes are raw frames straight to the socket; the
 * caller guarantees one writer at a time: the connection's {@link SessionWriter} while it runs,
 * the reader only once that writer has been stopped (to answer a close frame).
 */
final class StrictSession implements WsSession {
    private final ConnectionContext ctx;
    /** Set before the first close frame is written (by whichever single writer writes it); read by the reader. */
    private volatile boolean closeSent;

    StrictSession(ConnectionContext ctx) {
        this.ctx = ctx;
    }

    /** Writes {@code bytes} (complete frames) in one socket write; {@code close} when they end with a close frame. */
    void write(byte[] bytes, boolean close) {
        if (close) {
            closeSent = true;
        }
        ctx.dataWriter().writeNow(BufferData.create(bytes));
    }

    boolean closeSent() {
        return closeSent;
    }

    /** Closes the socket: a blocked read or write on it fails at once. Idempotent. */
    void closeSocket() {
        try {
            ctx.serverSocket().close();
        } catch (RuntimeException e) {
            // already closed
        }
    }

    /** Whole messages only: Parley never fragments what it sends. */
    @Override
    public WsSession send(String text, boolean last) {
        requireWhole(last);
        return frame(ServerFrames.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public WsSession send(BufferData bufferData, boolean last) {
        requireWhole(last);
        return frame(ServerFrames.BINARY, bufferData.readBytes());
    }

    private static void requireWhole(boolean last) {
        if (!last) {
            throw new UnsupportedOperationException("fragmented sends are not supported");
        }
    }

    @Override
    public WsSession ping(BufferData bufferData) {
        return frame(ServerFrames.PING, bufferData.readBytes());
    }

    @Override
    public WsSession pong(BufferData bufferData) {
        return frame(ServerFrames.PONG, bufferData.readBytes());
    }

    @Override
    public WsSession close(int code, String reason) {
        write(ServerFrames.frame(ServerFrames.CLOSE, ServerFrames.closePayload(code, reason)), true);
        return this;
    }

    @Override
    public WsSession terminate() {
        SocketAbort.abort(this);
        return this;
    }

    @Override
    public SocketContext socketContext() {
        return ctx;
    }

    private WsSession frame(int opcode, byte[] payload) {
        write(ServerFrames.frame(opcode, payload), false);
        return this;
    }
}
