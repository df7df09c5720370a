package dev.parley.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.DistributionStatisticsConfig;
import io.helidon.metrics.api.DistributionSummary;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;
import io.helidon.tracing.HeaderProvider;
import io.helidon.tracing.Span;
import io.helidon.tracing.SpanContext;
import io.helidon.tracing.Tracer;

import dev.parley.protocol.CloseReason;
import dev.parley.protocol.ErrorCode;

/**
 * Parley's meters and spans, in one place so names stay consistent with docs/observability.md.
 * Every counter with a fixed set of tag values is registered up front, at zero: a Prometheus
 * {@code rate()} then works from the first scrape, and the hot paths only increment.
 */
public final class Telemetry implements AutoCloseable {
    private static final Duration[] LATENCY_BUCKETS = {
            Duration.ofNanos(10_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5)};
    private static final double[] NO_PERCENTILES = {};
    /** Objects per write: powers of two up to the default outbox bound (parley.outbox.max-messages). */
    private static final double[] DEPTH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    /** Reasons ChatListener refuses an upgrade for; others are registered when first seen. */
    private static final List<String> UPGRADE_REJECT_REASONS = List.of("origin", "draining", "header_timeout");
    /** How long {@link #close()} waits for connection spans still ending before the last export. */
    private static final Duration SPAN_END_WAIT = Duration.ofSeconds(2);

    private final Tracer tracer;
    private final MeterRegistry registry;
    private final Counter received;
    private final Counter published;
    private final Counter delivered;
    private final Counter slowConsumers;
    private final Counter opened;
    private final Map<CloseReason, Counter> closed = new EnumMap<>(CloseReason.class);
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<String, Counter> upgradesRejected = new ConcurrentHashMap<>();
    private final DistributionSummary outboxDepth;
    private final Timer broadcast;
    private final Timer write;
    /** Connection spans started and not yet ended. */
    private final AtomicInteger openSpans = new AtomicInteger();
    private final List<Runnable> onClose = new ArrayList<>();

    public Telemetry(Tracer tracer) {
        this(tracer, Metrics.globalRegistry());
    }

    public Telemetry(Tracer tracer, MeterRegistry registry) {
        this.tracer = tracer;
        this.registry = registry;
        GcTimeMeter.register(registry);
        this.received = registry.getOrCreate(Counter.builder("parley.messages.received")
                                                     .description("Complete client messages received"));
        this.published = registry.getOrCreate(Counter.builder("parley.messages.published")
                                                      .description("Chat messages given a seq"));
        this.delivered = registry.getOrCreate(Counter.builder("parley.messages.delivered")
                                                      .description("Server objects written to sockets"));
        this.slowConsumers = registry.getOrCreate(Counter.builder("parley.slow_consumer.disconnects")
                                                          .description("Connections closed 1013 for overflowing their outbox"));
        this.opened = registry.getOrCreate(Counter.builder("parley.connections.opened")
                                                   .description("WebSocket sessions opened"));
        for (CloseReason r : CloseReason.values()) {
            closed.put(r, registry.getOrCreate(Counter.builder("parley.connections.closed")
                                                       .description("WebSocket sessions ended, by reason")
                                                       .tags(List.of(Tag.create("reason", r.tag())))));
        }
        for (ErrorCode c : ErrorCode.values()) {
            rejectedCounter(c.code());
        }
        UPGRADE_REJECT_REASONS.forEach(this::upgradeRejectedCounter);
        // Histogram buckets only, no client-side quantiles: buckets aggregate across instances
        // (histogram_quantile over a sum), per-instance quantiles cannot be combined.
        this.outboxDepth = registry.getOrCreate(DistributionSummary.builder(
                        "parley.outbox.depth",
                        DistributionStatisticsConfig.builder().percentiles(NO_PERCENTILES).buckets(DEPTH_BUCKETS))
                .description("Objects coalesced into one socket write"));
        this.broadcast = registry.getOrCreate(Timer.builder("parley.broadcast.duration")
                                                      .description("Seq assignment and hand-off to every outbox")
                                                      .percentiles(NO_PERCENTILES)
                                                      .buckets(LATENCY_BUCKETS));
        this.write = registry.getOrCreate(Timer.builder("parley.write.duration")
                                                  .description("One socket write by a session writer")
                                                  .percentiles(NO_PERCENTILES)
                                                  .buckets(LATENCY_BUCKETS));
    }

    public Tracer tracer() {
        return tracer;
    }

    /** Registers gauges over live state (open connections, rooms); {@link #close()} unregisters them. */
    public void gauges(Supplier<Integer> connections, Supplier<Integer> rooms) {
        onClose.add(SummedGauge.register(registry, "parley.connections", "Open WebSocket sessions", connections));
        onClose.add(SummedGauge.register(registry, "parley.rooms", "Rooms held in memory", rooms));
    }

    /** Tracing this server owns and must flush and stop in {@link #close()}. */
    public void owns(Tracing tracing) {
        onClose.add(tracing::close);
    }

    public void upgradeRejected(String reason) {
        upgradeRejectedCounter(reason).increment();
    }

    public void rejected(String code) {
        rejectedCounter(code).increment();
    }

    public void received() {
        received.increment();
    }

    public void published(long nanos) {
        published.increment();
        broadcast.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A socket write of {@code objects} server objects. The two histograms take one write in
     * {@link #WRITE_SAMPLE} per connection ({@code sampled}): recording into a bucketed histogram
     * on every write was a visible share of fan-out CPU, and a sample shows the same distribution.
     */
    public void wrote(int objects, long nanos, boolean sampled) {
        delivered.increment(objects);
        if (sampled) {
            outboxDepth.record(objects);
            write.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** One write in this many per connection goes into the write-duration and outbox-depth histograms. */
    public static final int WRITE_SAMPLE = 8;

    public void slowConsumer() {
        slowConsumers.increment();
    }

    /** Starts the {@code ws.connection} span, continuing the upgrade's W3C trace context if present. */
    public ConnectionTrace connection(Map<String, List<String>> upgradeHeaders) {
        Optional<SpanContext> parent = tracer.extract(HeaderProvider.create(upgradeHeaders));
        Span.Builder<?> b = tracer.spanBuilder("ws.connection").kind(Span.Kind.SERVER);
        parent.ifPresent(b::parent);
        Span span = b.start();
        openSpans.incrementAndGet();
        return new ConnectionTrace(this, span, tracer.enabled() ? otel(span) : null);
    }

    /**
     * Records the {@code chat.publish} span of one accepted send, after the fact (it starts when
     * the publish started, {@code nanos} ago): nothing can leave it open. It continues the
     * client's {@code traceparent} when given, and links to the sender's connection span, since
     * a connection can live for hours and its messages belong to their own traces.
     */
    void publishSpan(ConnectionTrace sender, String room, long seq, int fanout, boolean duplicate, long nanos,
                     String traceparent, String broker, long brokerNanos) {
        if (!tracer.enabled()) {
            return;
        }
        Span.Builder<?> b = tracer.spanBuilder(ChatSampler.PUBLISH_SPAN).kind(Span.Kind.PRODUCER);
        if (traceparent != null) {
            tracer.extract(HeaderProvider.create(Map.of("traceparent", List.of(traceparent)))).ifPresent(b::parent);
        }
        if (sender.otelContext() != null) {
            // Helidon's Span.Builder has no links in 4.1.2: add it on the OpenTelemetry builder beneath.
            b.unwrap(io.opentelemetry.api.trace.SpanBuilder.class).addLink(sender.otelContext());
        }
        b.tag("messaging.system", "parley")
                .tag("messaging.operation.type", "send")
                .tag("messaging.operation.name", "publish")
                .tag("messaging.destination.name", room)
                .tag("parley.room", room)
                .tag("parley.seq", seq)
                .tag("parley.fanout", fanout)
                .tag("parley.duplicate", duplicate)
                .tag("parley.enqueue.ms", nanos / 1e6);
        if (sender.session() != null) {
            b.tag("parley.session", sender.session());
        }
        b.tag("parley.broker", broker);
        Span span = b.start(Instant.now().minusNanos(nanos));
        // The broker's part of the publish (with Redis, the script's round trip).
        span.addEvent("broker.publish", Map.of("parley.broker", broker, "parley.broker.ms", brokerNanos / 1e6));
        span.end();
    }

    void opened() {
        opened.increment();
    }

    void closed(CloseReason reason) {
        closed.get(reason).increment();
    }

    void spanEnded() {
        openSpans.decrementAndGet();
    }

    /**
     * Unregisters this server's gauges and stops the tracing it owns. Connections end on their
     * own threads after the server stops, so their spans get a short, bounded wait to end first.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + SPAN_END_WAIT.toNanos();
        while (tracer.enabled() && openSpans.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        onClose.forEach(Runnable::run);
        onClose.clear();
    }

    private Counter rejectedCounter(String code) {
        return rejected.computeIfAbsent(code, c -> registry.getOrCreate(
                Counter.builder("parley.messages.rejected")
                        .description("Client messages answered with an error, by code")
                        .tags(List.of(Tag.create("code", c)))));
    }

    private Counter upgradeRejectedCounter(String reason) {
        return upgradesRejected.computeIfAbsent(reason, r -> registry.getOrCreate(
                Counter.builder("parley.upgrades.rejected")
                        .description("WebSocket upgrades refused, by reason")
                        .tags(List.of(Tag.create("reason", r)))));
    }

    /** The OpenTelemetry identity of a span, for links and log lines; null for a tracer of another kind. */
    private static io.opentelemetry.api.trace.SpanContext otel(Span span) {
        try {
            return span.unwrap(io.opentelemetry.api.trace.Span.class).getSpanContext();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
