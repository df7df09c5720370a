package dev.parley.ws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.DirectHandler;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.NotFoundException;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.websocket.WsRoute;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsUpgradeException;

/**
 * Turns an HTTP/1.1 request on a WebSocket route into an {@link UpgradedConnection}, checking the
 * handshake as RFC 6455 §4.2.1 asks: GET (else 405), {@code Connection: upgrade} (else 400),
 * {@code Sec-WebSocket-Version: 13} (else 426 naming the version), a key of 16 base64 bytes (else
 * 400). The route's listener then applies Parley's own policy (origin, capacity) in
 * {@link WsListener#onHttpUpgrade}. Requests on other paths fall through to HTTP routing.
 */
final class StrictUpgrader implements Http1Upgrader {
    private static final HeaderName KEY = HeaderNames.create("Sec-WebSocket-Key");
    private static final HeaderName VERSION = HeaderNames.create("Sec-WebSocket-Version");
    private static final Header SUPPORTED_VERSION = HeaderValues.create(VERSION, "13");
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final int maxMessageBytes;

    StrictUpgrader(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Helidon 4.1.2 picks an upgrader by the exact text of the {@code Upgrade} header, while the
     * header is a list of case-insensitive tokens (RFC 7230 §6.7: {@code WebSocket},
     * {@code websocket, h2c}). A request that offers WebSocket among them gets the header as the one
     * token {@code websocket}; any other is left as it came.
     */
    static void canonicalUpgrade(WritableHeaders<?> headers) {
        if (headers.contains(HeaderNames.UPGRADE) && hasToken(headers.all(HeaderNames.UPGRADE, List::of), "websocket")) {
            headers.set(HeaderNames.UPGRADE, "websocket");
        }
    }

    @Override
    public String supportedProtocol() {
        return "websocket";
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        WsRoute route;
        try {
            route = ctx.router().routing(WsRouting.class, WsRouting.empty()).findRoute(prologue);
        } catch (NotFoundException e) {
            return null; // not a WebSocket path: HTTP routing answers (404)
        }
        if (!Method.GET.equals(prologue.method())) {
            throw refuse(Status.METHOD_NOT_ALLOWED_405, "A WebSocket upgrade must be a GET request.",
                         HeaderValues.create(HeaderNames.ALLOW, "GET"));
        }
        if (!hasToken(headers.all(HeaderNames.CONNECTION, List::of), "upgrade")) {
            throw refuse(Status.BAD_REQUEST_400, "A WebSocket upgrade needs 'Connection: Upgrade'.", null);
        }
        List<String> versions = headers.all(VERSION, List::of);
        if (versions.size() != 1 || !versions.getFirst().trim().equals("13")) {
            throw refuse(Status.UPGRADE_REQUIRED_426, "WebSocket version 13 is required.", SUPPORTED_VERSION);
        }
        List<String> keys = headers.all(KEY, List::of);
        String key = keys.size() == 1 ? keys.getFirst().trim() : null;
        if (key == null || !validKey(key)) {
            throw refuse(Status.BAD_REQUEST_400, "Sec-WebSocket-Key must be 16 bytes in base64.", null);
        }
        WsListener listener = route.listener();
        if (listener instanceof ChatListener chat) {
            chat.transport(ctx.remotePeer().host(), ctx.isSecure());
        }
        Optional<Headers> extra;
        try {
            extra = listener.onHttpUpgrade(prologue, headers);
        } catch (WsUpgradeException e) {
            return null;
        }
        StringBuilder response = new StringBuilder(160)
                .append("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n")
                .append("Sec-WebSocket-Accept: ").append(accept(key)).append("\r\n");
        BufferData head = BufferData.growing(response.length() + 64);
        head.write(response.toString().getBytes(StandardCharsets.US_ASCII));
        extra.ifPresent(hs -> hs.forEach(h -> h.writeHttp1Header(head)));
        head.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        ctx.dataWriter().writeNow(head);
        return new UpgradedConnection(ctx, listener, maxMessageBytes);
    }

    /** True when a comma-separated header holds {@code token}, in any case. */
    static boolean hasToken(List<String> values, String token) {
        for (String v : values) {
            for (String t : v.split(",")) {
                if (t.trim().toLowerCase(Locale.ROOT).equals(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean validKey(String key) {
        try {
            return key.length() == 24 && Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }

    private static RequestException refuse(Status status, String message, Header header) {
        RequestException.Builder b = RequestException.builder()
                .type(DirectHandler.EventType.OTHER)
                .status(status)
                .message(message);
        if (header != null) {
            b.header(header);
        }
        return b.build();
    }
}
