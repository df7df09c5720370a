package dev.parley.broker.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Timer;

/** The Redis broker's meters (docs/observability.md). Every node of a process shares them. */
public final class RedisMetrics {
    private static final Duration[] BUCKETS = {
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
            Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2)};

    private final Timer publish;
    private final Counter errors;
    private final Counter reconnects;
    private final Counter gapsFilled;
    private final Counter resets;
    private final Counter resubscribes;

    public RedisMetrics() {
        this(Metrics.globalRegistry());
    }

    RedisMetrics(MeterRegistry registry) {
        this.publish = registry.getOrCreate(Timer.builder("parley.broker.publish.duration")
                .description("One publish script in Redis, round trip included")
                .percentiles(new double[0])
                .buckets(BUCKETS));
        this.errors = registry.getOrCreate(Counter.builder("parley.broker.errors")
                .description("Redis commands that failed or timed out"));
        this.reconnects = registry.getOrCreate(Counter.builder("parley.broker.reconnects")
                .description("Connections to Redis (re)established"));
        this.gapsFilled = registry.getOrCreate(Counter.builder("parley.broker.gap_filled")
                .description("Messages read from the stream because pub/sub did not bring them in order"));
        this.resets = registry.getOrCreate(Counter.builder("parley.broker.resets")
                .description("Rooms whose members were handed the room afresh (new epoch, or a gap Redis no longer held)"));
        this.resubscribes = registry.getOrCreate(Counter.builder("parley.broker.resubscribes")
                .description("Subscriptions opened again because the node's probe stopped coming back"));
    }

    void published(long nanos) {
        publish.record(nanos, TimeUnit.NANOSECONDS);
    }

    void error() {
        errors.increment();
    }

    void reconnected() {
        reconnects.increment();
    }

    void gapFilled(int messages) {
        gapsFilled.increment(messages);
    }

    void reset() {
        resets.increment();
    }

    void resubscribed() {
        resubscribes.increment();
    }
}
