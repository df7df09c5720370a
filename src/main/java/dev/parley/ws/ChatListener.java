package dev.parley.ws;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

import dev.parley.observe.ConnectionTrace;
import dev.parley.protocol.CloseReason;

/**
 * The callbacks of one connection, all on the connection's own reader thread
 * ({@link UpgradedConnection}). It applies Parley's upgrade policy, then hands every message to
 * the {@link Connection}, and runs its cleanup when the connection ends. No exception may escape
 * a callback.
 */
final class ChatListener implements WsListener, ConnectionEnded {
    private static final System.Logger LOG = System.getLogger(ChatListener.class.getName());
    private static final HeaderName FORWARDED_FOR = HeaderNames.create("X-Forwarded-For");
    private static final HeaderName FORWARDED_PROTO = HeaderNames.create("X-Forwarded-Proto");
    private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    private static final HeaderName TRACESTATE = HeaderNames.create("tracestate");

    private final ChatEndpoint endpoint;
    // Written and read on the connection's reader thread only (upgrade, then open).
    /** The TCP peer and whether the socket is TLS; set by the upgrader before {@link #onHttpUpgrade}. */
    private String peer;
    private boolean secure;
    private String forwardedFor;
    private String userAgent;
    private ConnectionTrace trace;
    private Connection connection;

    ChatListener(ChatEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** The transport under the upgrade request: the origin check needs the scheme the client used. */
    void transport(String peer, boolean secure) {
        this.peer = peer;
        this.secure = secure;
    }

    /**
     * The scheme the browser used: the socket's own, or the one a trusted proxy that terminated
     * TLS reports in {@code X-Forwarded-Proto} (anyone else's is not believed).
     */
    private String scheme(Headers headers) {
        String forwarded = headers.first(FORWARDED_PROTO).orElse(null);
        if (forwarded != null && peer != null && endpoint.clientAddress.isTrusted(peer)) {
            return forwarded.split(",")[0].trim().toLowerCase(java.util.Locale.ROOT);
        }
        return secure ? "https" : "http";
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) {
        if (endpoint.connections.draining()) {
            endpoint.telemetry.upgradeRejected("draining");
            throw RequestException.builder()
                    .type(DirectHandler.EventType.OTHER)
                    .status(Status.SERVICE_UNAVAILABLE_503)
                    .message("Server is shutting down; reconnect shortly.")
                    .build();
        }
        int max = endpoint.access.connectionsMax();
        if (max > 0 && endpoint.connections.size() >= max) {
            endpoint.telemetry.upgradeRejected("connections_max");
            throw RequestException.builder()
                    .type(DirectHandler.EventType.OTHER)
                    .status(Status.SERVICE_UNAVAILABLE_503)
                    .message("Server is full; try again shortly.")
                    .build();
        }
        String origin = headers.first(HeaderNames.ORIGIN).orElse(null);
        String host = headers.first(HeaderNames.HOST).orElse(null);
        if (!endpoint.origins.allows(origin, host, scheme(headers))) {
            endpoint.telemetry.upgradeRejected("origin");
            LOG.log(System.Logger.Level.INFO, "upgrade refused: origin " + origin + " not allowed for host " + host);
            throw RequestException.builder()
                    .type(DirectHandler.EventType.FORBIDDEN)
                    .status(Status.FORBIDDEN_403)
                    .message("Origin not allowed")
                    .build();
        }
        forwardedFor = headers.first(FORWARDED_FOR).orElse(null);
        userAgent = headers.first(HeaderNames.USER_AGENT).orElse(null);
        Map<String, List<String>> context = new HashMap<>(2);
        headers.first(TRACEPARENT).ifPresent(v -> context.put("traceparent", List.of(v)));
        headers.first(TRACESTATE).ifPresent(v -> context.put("tracestate", List.of(v)));
        trace = endpoint.telemetry.connection(context);
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        endpoint.connections.readerStarted();
        try {
            if (!(session instanceof StrictSession strict)) {
                throw new IllegalStateException("not a connection of Parley's upgrader: " + session);
            }
            String peer = session.socketContext().remotePeer().host();
            String client = endpoint.clientAddress.resolve(peer, forwardedFor);
            if (trace == null) {
                trace = endpoint.telemetry.connection(Map.of());
            }
            trace.upgraded(client, peer, userAgent, 1);
            trace.endpoints("/ws", session.socketContext().localPeer().port(), session.socketContext().remotePeer().port());
            connection = new Connection(ChatEndpoint.newSessionId(), strict, endpoint.config, endpoint.hub,
                                        endpoint.decoder, endpoint.connections, endpoint.telemetry, trace, client,
                                        endpoint.authenticator.open(System.nanoTime()));
            connection.start();
            LOG.log(System.Logger.Level.DEBUG, () -> "session " + connection.id() + " opened from " + client);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "could not open session", e);
            if (connection != null) {
                connection.closeWith(CloseReason.INTERNAL);
            } else if (trace != null) {
                // no Connection, so no cleanup will ever end the span
                trace.end(CloseReason.INTERNAL, CloseReason.INTERNAL.code(), CloseReason.INTERNAL.reason(), 0);
            }
            if (connection == null) {
                session.terminate(); // nothing to serve this socket: drop it rather than read into a void
            }
        }
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        if (connection == null) {
            return; // onOpen failed and aborted the socket
        }
        connection.onText(text); // the frame layer delivers whole messages only
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        if (connection == null) {
            return; // onOpen failed and aborted the socket
        }
        connection.heard();
        connection.closeWith(CloseReason.BINARY);
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        if (connection == null) {
            return; // onOpen failed and aborted the socket
        }
        connection.heard();
        connection.pong(buffer.readBytes());
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        if (connection == null) {
            return; // onOpen failed and aborted the socket
        }
        connection.heard();
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (connection != null) {
            connection.clientClosed(status, reason);
        }
    }

    /** The client broke the protocol (or sent too much): close with the violation's code. */
    @Override
    public void onError(WsSession session, Throwable t) {
        LOG.log(System.Logger.Level.DEBUG, () -> "session " + (connection == null ? "?" : connection.id()) + ": " + t);
        if (connection == null) {
            return;
        }
        connection.closeWith(t instanceof WsViolation v ? v.reason() : CloseReason.INTERNAL);
    }

    /** Every way out ends here, once: the connection's resources go. */
    @Override
    public void connectionEnded() {
        try {
            if (connection != null) {
                connection.cleanup();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cleanup failed", e);
        } finally {
            endpoint.connections.readerEnded();
        }
    }
}
