package dev.parley.ws;

import java.lang.reflect.Field;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;

/**
 * Shrinks the two buffers Helidon 4.1.2 allocates for every connection and keeps for its whole
 * life: the socket's read buffer (8 KiB, a constant in {@code PlainSocket} that no setting
 * reaches) and the WebSocket send buffer (1 KiB), which here carries only pings, pongs and the
 * close frame — messages go out as frames {@link SessionWriter} assembles. Client frames are
 * small chat objects; a larger one just takes a few more reads. Together this is ~7 KB of the
 * ~17 KB an idle connection costs (bench/README.md, "Idle memory").
 *
 * <p>Both fields are private and final, so this is reflection: if a Helidon upgrade renames them,
 * or a JDK refuses to change a final field, the trim is skipped with one warning and nothing else
 * changes (ConnectionBuffersTest fails, so the upgrade notices). Called on the reader thread before the writer exists, the only time neither
 * buffer can be in use.
 */
final class ConnectionBuffers {
    static final int READ_BUFFER_BYTES = 2048;
    /** Helidon's floor for a growing buffer; a control frame is at most 2 + 125 bytes. */
    private static final int SEND_BUFFER_BYTES = 256;
    private static final System.Logger LOG = System.getLogger(ConnectionBuffers.class.getName());
    private static final Field READ_BUFFER = field("io.helidon.common.socket.PlainSocket", "readBuffer");
    private static final Field SEND_BUFFER = field("io.helidon.webserver.websocket.WsConnection", "sendBuffer");

    private ConnectionBuffers() {
    }

    /** True when both buffers can be trimmed with this Helidon. */
    static boolean supported() {
        return READ_BUFFER != null && SEND_BUFFER != null;
    }

    static void trim(WsSession session) {
        if (session.socketContext() instanceof ConnectionContext ctx) {
            trimReadBuffer(ctx.serverSocket());
        }
        if (SEND_BUFFER != null && SEND_BUFFER.getDeclaringClass().isInstance(session)) {
            set(SEND_BUFFER, session, BufferData.growing(SEND_BUFFER_BYTES));
        }
    }

    /** Only while nothing reads from {@code socket}. */
    static void trimReadBuffer(HelidonSocket socket) {
        if (READ_BUFFER != null && READ_BUFFER.getDeclaringClass().isInstance(socket)) {
            set(READ_BUFFER, socket, new byte[READ_BUFFER_BYTES]);
        }
    }

    /** Set after the first refused write (a JDK that no longer lets final fields change, say). */
    private static volatile boolean refused;

    private static void set(Field f, Object target, Object value) {
        if (refused) {
            return;
        }
        try {
            f.set(target, value);
        } catch (IllegalAccessException | RuntimeException e) {
            refused = true;
            LOG.log(System.Logger.Level.WARNING, "per-connection buffer trim refused, connections keep Helidon's "
                    + "default buffers: " + e);
        }
    }

    private static Field field(String type, String name) {
        try {
            Field f = Class.forName(type).getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "per-connection buffer trim unavailable, connections keep Helidon's "
                    + "default buffers: " + e);
            return null;
        }
    }
}
