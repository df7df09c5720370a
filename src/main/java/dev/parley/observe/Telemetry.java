package dev.parley.observe;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.DistributionSummary;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.tracing.HeaderProvider;
import io.helidon.tracing.Span;
import io.helidon.tracing.SpanContext;
import io.helidon.tracing.Tracer;

import dev.parley.protocol.CloseReason;

/**
 * Parley's meters and spans, in one place so names stay consistent with docs/observability.md.
 * Counters are looked up once; the hot paths only increment.
 */
public final class Telemetry {
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(10_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5)};

    private final Tracer tracer;
    private final MeterRegistry registry;
    private final Counter received;
    private final Counter published;
    private final Counter delivered;
    private final Counter slowConsumers;
    private final DistributionSummary outboxDepth;
    private final Timer broadcast;
    private final Timer write;

    public Telemetry(Tracer tracer) {
        this(tracer, Metrics.globalRegistry());
    }

    public Telemetry(Tracer tracer, MeterRegistry registry) {
        this.tracer = tracer;
        this.registry = registry;
        this.received = registry.getOrCreate(Counter.builder("parley.messages.received")
                                                     .description("Client frames received"));
        this.published = registry.getOrCreate(Counter.builder("parley.messages.published")
                                                      .description("Chat messages given a seq"));
        this.delivered = registry.getOrCreate(Counter.builder("parley.messages.delivered")
                                                      .description("Server objects written to sockets"));
        this.slowConsumers = registry.getOrCreate(Counter.builder("parley.slow_consumer.disconnects")
                                                          .description("Connections closed 1013 for overflowing their outbox"));
        this.outboxDepth = registry.getOrCreate(DistributionSummary.builder("parley.outbox.depth")
                                                        .description("Frames coalesced into one socket write"));
        this.broadcast = registry.getOrCreate(Timer.builder("parley.broadcast.duration")
                                                      .description("Seq assignment and hand-off to every outbox")
                                                      .buckets(LATENCY_BUCKETS));
        this.write = registry.getOrCreate(Timer.builder("parley.write.duration")
                                                  .description("One socket write by a session writer")
                                                  .buckets(LATENCY_BUCKETS));
    }

    public Tracer tracer() {
        return tracer;
    }

    /** Registers gauges over live state (open connections, rooms). */
    public void gauges(Supplier<Integer> connections, Supplier<Integer> rooms) {
        registry.getOrCreate(Gauge.builder("parley.connections", connections).description("Open WebSocket sessions"));
        registry.getOrCreate(Gauge.builder("parley.rooms", rooms).description("Rooms held in memory"));
    }

    public void upgradeRejected(String reason) {
        registry.getOrCreate(Counter.builder("parley.upgrades.rejected").tags(List.of(Tag.create("reason", reason))))
                .increment();
    }

    public void rejected(String code) {
        registry.getOrCreate(Counter.builder("parley.messages.rejected").tags(List.of(Tag.create("code", code))))
                .increment();
    }

    public void received() {
        received.increment();
    }

    public void published(long nanos) {
        published.increment();
        broadcast.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void wrote(int objects, long nanos) {
        delivered.increment(objects);
        outboxDepth.record(objects);
        write.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void slowConsumer() {
        slowConsumers.increment();
    }

    /** Starts the {@code ws.connection} span, continuing the upgrade's W3C trace context if present. */
    public ConnectionTrace connection(Map<String, List<String>> upgradeHeaders) {
        Optional<SpanContext> parent = tracer.extract(HeaderProvider.create(upgradeHeaders));
        Span.Builder<?> b = tracer.spanBuilder("ws.connection").kind(Span.Kind.SERVER);
        parent.ifPresent(b::parent);
        return new ConnectionTrace(this, b.start());
    }

    void opened() {
        registry.getOrCreate(Counter.builder("parley.connections.opened")).increment();
    }

    void closed(CloseReason reason) {
        registry.getOrCreate(Counter.builder("parley.connections.closed")
                                     .tags(List.of(Tag.create("reason", reason.tag()))))
                .increment();
    }
}
