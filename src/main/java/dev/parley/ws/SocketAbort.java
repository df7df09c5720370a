package dev.parley.ws;

import java.lang.reflect.Field;
import java.net.Socket;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;

/**
 * Cuts a connection without waiting for the peer: the only way out of a write that is stuck
 * because the peer stopped reading (Helidon 4.1.2's send has no timeout, and session.close
 * queues behind the stuck write). Closing the socket from another thread makes the blocked write
 * and the reader fail at once. SO_LINGER 0 turns the close into a reset, so the kernel frees the
 * unsent buffer immediately instead of keeping megabytes for minutes.
 */
final class SocketAbort {
    private static final System.Logger LOG = System.getLogger(SocketAbort.class.getName());
    private static final Field DELEGATE = delegateField();

    private SocketAbort() {
    }

    static void abort(WsSession session) {
        if (!(session.socketContext() instanceof ConnectionContext ctx)) {
            return;
        }
        HelidonSocket socket = ctx.serverSocket();
        resetOnClose(socket);
        try {
            socket.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "socket already closed", e);
        }
    }

    private static void resetOnClose(HelidonSocket socket) {
        if (DELEGATE == null || !DELEGATE.getDeclaringClass().isInstance(socket)) {
            return;
        }
        try {
            ((Socket) DELEGATE.get(socket)).setSoLinger(true, 0);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "could not set SO_LINGER 0; closing normally", e);
        }
    }

    // Helidon keeps the java.net.Socket private in PlainSocket; without it the abort still works,
    // only the kernel buffer lingers.
    private static Field delegateField() {
        try {
            Field f = Class.forName("io.helidon.common.socket.PlainSocket").getDeclaredField("delegate");
            f.setAccessible(true);
            return f;
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "SO_LINGER on abort unavailable: " + e);
            return null;
        }
    }
}
