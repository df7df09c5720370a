package dev.parley.ws;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import io.helidon.websocket.WsListener;

import dev.parley.auth.Authenticator;
import dev.parley.config.AccessConfig;
import dev.parley.config.ParleyConfig;
import dev.parley.hub.Hub;
import dev.parley.observe.Telemetry;
import dev.parley.protocol.Decoder;

/** What every connection on {@code /ws} shares; hands Helidon a fresh {@link ChatListener} per connection. */
public final class ChatEndpoint implements Supplier<WsListener> {
    final ParleyConfig config;
    final AccessConfig access;
    final Hub hub;
    final Connections connections;
    final Telemetry telemetry;
    final Decoder decoder;
    final OriginPolicy origins;
    final ClientAddress clientAddress;
    final Authenticator authenticator;

    public ChatEndpoint(ParleyConfig config, AccessConfig access, Hub hub, Connections connections, Telemetry telemetry) {
        this.config = config;
        this.access = access;
        this.hub = hub;
        this.connections = connections;
        this.telemetry = telemetry;
        this.decoder = new Decoder(config.maxTextChars(), ParleyConfig.HISTORY_PAGE_MAX);
        this.origins = new OriginPolicy(config.origins());
        this.clientAddress = new ClientAddress(config.trustedProxies());
        this.authenticator = Authenticator.create(access);
        connections.onHeaderTimeout(() -> telemetry.upgradeRejected("header_timeout"));
    }

    @Override
    public WsListener get() {
        return new ChatListener(this);
    }

    /** Session ids: short, unique enough to find one connection in logs and traces. */
    static String newSessionId() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        return "s-" + HexFormat.of().formatHex(b);
    }
}
