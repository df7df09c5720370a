package dev.parley;

import java.time.Duration;
import java.util.List;

import io.helidon.config.Config;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.tracing.Tracer;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.staticcontent.StaticContentService;
import io.helidon.webserver.websocket.WsRouting;

import dev.parley.admin.AdminApi;
import dev.parley.config.AccessConfig;
import dev.parley.broker.Broker;
import dev.parley.broker.BrokerConfig;
import dev.parley.broker.MemoryBroker;
import dev.parley.broker.redis.RedisBroker;
import dev.parley.broker.redis.RedisMetrics;
import dev.parley.config.ParleyConfig;
import dev.parley.hub.Hub;
import dev.parley.observe.Telemetry;
import dev.parley.observe.Tracing;
import dev.parley.ws.ChatEndpoint;
import dev.parley.ws.Connections;
import dev.parley.ws.UpgradeSelector;

/**
 * A running Parley: the web server, the hub and the connections, wired the same way for
 * production ({@link Main}) and for tests. {@link #shutdown()} drains; {@link #stop()} does not.
 */
public final class ParleyServer {
    private static final System.Logger LOG = System.getLogger(ParleyServer.class.getName());
    /** The page may talk only to its own origin; no inline code, so injected markup cannot run. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
            + "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    /** The second listener: health, metrics and the back-end API; never the public port. */
    public static final String ADMIN_SOCKET = "admin";

    private final ParleyConfig config;
    private final AccessConfig access;
    private final Hub hub;
    private final Connections connections;
    private final Telemetry telemetry;
    private final WebServer server;
    private volatile boolean stopped;

    private ParleyServer(Config root, ParleyConfig config, AccessConfig access, Tracer tracer) {
        this.config = config;
        this.access = access;
        this.hub = new Hub(config, broker(root, config));
        this.connections = new Connections(config, hub);
        this.telemetry = new Telemetry(tracer);
        telemetry.gauges(connections::size, hub::roomCount);
        ChatEndpoint chat = new ChatEndpoint(config, access, hub, connections, telemetry);

        WebServerConfig.Builder builder = WebServer.builder().config(root.get("server"));
        // Helidon's own idle timer counts only received frames and closes without a close frame;
        // keep it well behind ours so clients get a proper close and a reason.
        Duration helidonIdle = builder.idleConnectionTimeout();
        if (helidonIdle.compareTo(config.idleTimeout().multipliedBy(2)) < 0) {
            builder.idleConnectionTimeout(config.idleTimeout().multipliedBy(2));
        }
        this.server = builder
                .putSocket(ADMIN_SOCKET, ListenerConfig.builder()
                        .name(ADMIN_SOCKET)
                        .port(access.adminPort())
                        .host(access.adminHost())
                        // An API body is one chat message; a larger one is refused before it is read.
                        .maxPayloadSize(config.maxFrameBytes())
                        .build())
                .routing(ADMIN_SOCKET, new AdminApi(config, access, hub)::routing)
                // Only on the admin socket: the public port has no /observe route under any spelling.
                .addFeature(ObserveFeature.builder()
                                    .observersDiscoverServices(false)
                                    .sockets(List.of(ADMIN_SOCKET))
                                    .addObserver(HealthObserver.builder()
                                                         .details(true)
                                                         .addCheck(new AcceptingConnections(connections))
                                                         .addCheck(new BrokerReachable(hub.broker()))
                                                         .build())
                                    .addObserver(MetricsObserver.create())
                                    .build())
                .routing(this::routing)
                // /ws is routed to a listener per connection, as with Helidon's WebSocket support,
                // but the upgrade and every frame are Parley's (ws.UpgradeSelector): RFC 6455 strictly.
                .addRouting(WsRouting.builder().endpoint("/ws", chat))
                .protocolsDiscoverServices(false)
                .protocols(List.of())
                .addConnectionSelector(new UpgradeSelector(root.get("server.protocols.http_1_1"), chat))
                .build();
    }

    /** Validates the configuration and starts the server; throws IllegalArgumentException for bad config. */
    public static ParleyServer start(Config root) {
        // Built from parley.tracing (off by default); the server owns it and flushes it in stop().
        Tracing tracing = Tracing.create(root);
        try {
            ParleyServer s = start(root, tracing.tracer());
            s.telemetry.owns(tracing);
            return s;
        } catch (RuntimeException e) {
            tracing.close();
            throw e;
        }
    }

    public static ParleyServer start(Config root, Tracer tracer) {
        ParleyConfig config = ParleyConfig.from(root);
        AccessConfig access = AccessConfig.from(root);
        ParleyServer s = new ParleyServer(root, config, access, tracer);
        s.server.start();
        return s;
    }

    private void routing(HttpRouting.Builder routing) {
        routing.addFilter((chain, req, res) -> {
            res.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
            res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
            res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
            chain.proceed();
        });
        // A plain request to the WebSocket path (an upgrade never reaches HTTP routing): say what it is.
        routing.any("/ws", (req, res) -> res.status(Status.UPGRADE_REQUIRED_426)
                .header(HeaderNames.UPGRADE, "websocket")
                .header(HeaderNames.create("Sec-WebSocket-Version"), "13")
                .send("This is Parley's WebSocket endpoint: connect with a WebSocket client.\n"));
        routing.register("/", StaticContentService.builder("web").welcomeFileName("index.html").build());
        // Last: what nothing above served is a 404 of ours, so it keeps the headers set above (an
        // unrouted request would get Helidon's bare one).
        routing.any((req, res) -> res.status(Status.NOT_FOUND_404).send("Not found.\n"));
    }

    public int port() {
        return server.port();
    }

    /** The admin socket's port: health, metrics, the back-end API. */
    public int adminPort() {
        return server.port(ADMIN_SOCKET);
    }

    public AccessConfig access() {
        return access;
    }

    public ParleyConfig config() {
        return config;
    }

    public Hub hub() {
        return hub;
    }

    public Connections connections() {
        return connections;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public boolean isRunning() {
        return server.isRunning();
    }

    /**
     * Graceful shutdown: readiness goes DOWN and new upgrades get 503, every connection gets its
     * queued frames and then close 1001 (in batches), then the server stops.
     */
    public void shutdown() {
        if (stopped) {
            return;
        }
        long start = System.nanoTime();
        LOG.log(System.Logger.Level.INFO, "draining " + connections.size() + " connections");
        connections.drain(config.drainTimeout());
        stop();
        LOG.log(System.Logger.Level.INFO, "stopped in " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
    }

    /** Stops at once: clients see the connection drop (1006) and resume elsewhere. */
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        server.stop();
        connections.close();
        hub.broker().close();
        telemetry.close();
    }

    /**
     * On SIGTERM (and SIGINT) drain, then exit 0 — within {@code shutdown.grace}, or the process is
     * halted. A signal handler rather than a shutdown hook: a hook cannot choose the exit code, and
     * the JVM would report 143 for a shutdown that went exactly as planned.
     */
    void drainOnSignals() {
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        sun.misc.SignalHandler drain = signal -> {
            if (!started.compareAndSet(false, true)) {
                return;
            }
            LOG.log(System.Logger.Level.INFO, "SIG" + signal.getName() + " received");
            Thread.ofPlatform().daemon().name("parley-grace").start(() -> {
                try {
                    Thread.sleep(config.shutdownGrace());
                    LOG.log(System.Logger.Level.ERROR, "shutdown exceeded shutdown.grace (" + config.shutdownGrace() + "); halting");
                    Runtime.getRuntime().halt(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // Signal handlers run on a daemon thread: the JVM would exit under a drain that runs there
            // as soon as the server's own threads end. A non-daemon thread keeps it alive to the end.
            Thread.ofPlatform().daemon(false).name("parley-drain").start(() -> {
                shutdown();
                System.exit(0);
            });
        };
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), drain);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), drain);
    }

    /** The broker {@code parley.broker.*} names: this process alone by default, or Redis. */
    private static Broker broker(Config root, ParleyConfig config) {
        BrokerConfig b = BrokerConfig.from(root);
        if (b.type() == BrokerConfig.Type.REDIS) {
            LOG.log(System.Logger.Level.INFO, "rooms are shared through Redis at " + b.redactedUrl()
                                              + (b.cluster() ? " (cluster)" : ""));
            return new RedisBroker(b, config.historySize(), config.historyTtl(), new RedisMetrics());
        }
        return new MemoryBroker(config.historySize(), config.historyTtl().toNanos(), config.roomsMax());
    }

    /** Readiness: DOWN while the broker's store cannot be reached; sends and joins are refused meanwhile. */
    private record BrokerReachable(Broker broker) implements io.helidon.health.HealthCheck {
        @Override
        public String name() {
            return "broker";
        }

        @Override
        public HealthCheckType type() {
            return HealthCheckType.READINESS;
        }

        @Override
        public HealthCheckResponse call() {
            boolean up = broker.available();
            return HealthCheckResponse.builder().status(up).detail("reachable", up).build();
        }
    }

    /** Readiness: DOWN while draining, so load balancers stop sending new clients here. */
    private record AcceptingConnections(Connections connections) implements io.helidon.health.HealthCheck {
        @Override
        public String name() {
            return "accepting-connections";
        }

        @Override
        public HealthCheckType type() {
            return HealthCheckType.READINESS;
        }

        @Override
        public HealthCheckResponse call() {
            boolean draining = connections.draining();
            return HealthCheckResponse.builder().status(!draining).detail("draining", draining).build();
        }
    }
}
