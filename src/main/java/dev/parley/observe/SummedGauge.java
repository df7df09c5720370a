package dev.parley.observe;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.MeterRegistry;

/**
 * A gauge reporting the sum over every live source registered under its name. The meter
 * registry lives as long as the JVM, and a gauge keeps the supplier it was first registered
 * with: without this, a second server in the same JVM (a restart in tests) would report the first
 * one's stale state forever.
 */
final class SummedGauge {
    private static final ConcurrentHashMap<List<Object>, Set<Supplier<Integer>>> SOURCES = new ConcurrentHashMap<>();

    private SummedGauge() {
    }

    /** Adds {@code source} to the gauge {@code name}; the returned action removes it again. */
    static Runnable register(MeterRegistry registry, String name, String description, Supplier<Integer> source) {
        Set<Supplier<Integer>> sources = SOURCES.computeIfAbsent(List.of(registry, name), key -> {
            Set<Supplier<Integer>> live = ConcurrentHashMap.newKeySet();
            registry.getOrCreate(Gauge.builder(name, () -> live.stream().mapToInt(Supplier::get).sum())
                                         .description(description));
            return live;
        });
        sources.add(source);
        return () -> sources.remove(source);
    }
}
