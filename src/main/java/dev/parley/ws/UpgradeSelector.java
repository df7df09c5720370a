package dev.parley.ws;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;

import io.helidon.common.buffers.BufferData;
import io.helidon.config.Config;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * The public socket's only connection selector: Helidon's HTTP/1.1 with Parley's
 * {@link StrictUpgrader} for WebSocket, and a deadline on each new connection's first request
 * headers. A request's {@code Upgrade} header is put in canonical form as soon as it is read (see
 * {@link StrictUpgrader#canonicalUpgrade}), before Helidon looks the upgrader up by its text. Being the only selector, it is handed each connection as it is accepted (Helidon reads
 * nothing first), so even a socket that never sends a byte is timed.
 */
public final class UpgradeSelector implements ServerConnectionSelector {
    private final Http1ConnectionSelector http1;
    private final HeaderDeadlines deadlines;

    /** {@code http1} is the {@code server.protocols.http_1_1} configuration node. */
    public UpgradeSelector(Config http1, ChatEndpoint endpoint) {
        this.deadlines = endpoint.connections.headerDeadlines();
        StrictUpgrader upgrader = new StrictUpgrader(endpoint.config.maxFrameBytes());
        Http1ConnectionListener headersRead = new Http1ConnectionListener() {
            @Override
            public void headers(ConnectionContext ctx, Headers headers) {
                deadlines.disarm(ctx);
                if (headers instanceof WritableHeaders<?> writable) {
                    StrictUpgrader.canonicalUpgrade(writable);
                }
            }
        };
        this.http1 = Http1ConnectionSelector.builder()
                // Built from the config node (not copied from a built Http1Config, whose composite
                // receive listener would not include this one).
                .config(Http1Config.builder().config(http1).addReceiveListener(headersRead).build())
                .upgraders(Map.of(upgrader.supportedProtocol(), upgrader))
                .build();
    }

    @Override
    public int bytesToIdentifyConnection() {
        return http1.bytesToIdentifyConnection();
    }

    @Override
    public Support supports(BufferData data) {
        return http1.supports(data);
    }

    @Override
    public Set<String> supportedApplicationProtocols() {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(ConnectionContext ctx) {
        deadlines.arm(ctx);
        ServerConnection c = http1.connection(ctx);
        return new ServerConnection() {
            @Override
            public void handle(Semaphore requestSemaphore) throws InterruptedException {
                try {
                    c.handle(requestSemaphore);
                } finally {
                    deadlines.disarm(ctx);
                }
            }

            @Override
            public Duration idleTime() {
                return c.idleTime();
            }

            @Override
            public void close(boolean interrupt) {
                c.close(interrupt);
            }
        };
    }
}
