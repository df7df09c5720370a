package dev.parley.observe;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

import io.helidon.metrics.api.FunctionalCounter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

/**
 * Time spent in garbage collection, in milliseconds, per collector:
 * {@code parley_gc_time_milliseconds_total{name}}. Helidon 4.1.2's own {@code gc_time_seconds_total}
 * truncates to whole seconds ({@code (long) (ms / 1000.0)}), so its rate is 0 on any healthy
 * server; this reads the same {@link GarbageCollectorMXBean#getCollectionTime()} without the loss.
 */
final class GcTimeMeter {
    private GcTimeMeter() {
    }

    /** Registers one counter per collector of this JVM (idempotent: the registry keeps the first). */
    static void register(MeterRegistry registry) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            registry.getOrCreate(FunctionalCounter.builder("parley.gc.time", gc, GcTimeMeter::millis)
                                         .baseUnit("milliseconds")
                                         .description("Approximate time spent in garbage collection, by collector")
                                         .tags(List.of(Tag.create("name", gc.getName()))));
        }
    }

    /** -1 (undefined) is reported as 0, so the counter never goes backwards. */
    private static long millis(GarbageCollectorMXBean gc) {
        return Math.max(0, gc.getCollectionTime());
    }
}
