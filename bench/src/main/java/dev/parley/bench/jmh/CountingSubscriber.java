package dev.parley.bench.jmh;

import dev.parley.hub.Subscriber;
import dev.parley.protocol.Frame;

/**
 * A member whose outbox only counts, for benchmarks that measure the room and not the outbox
 * (that is {@code dev.parley.ws.OutboxBenchmark}) nor the writers. The count lives
 * in a cache line of its own (the middle of a 128-byte array), as an outbox's state is not in
 * the membership's lines: a counter in the subscriber itself shares lines with the members'
 * records once the GC has copied them next to each other, and a broadcaster writing those
 * lines while the churn thread scans them measured false sharing instead of the structure.
 */
final class CountingSubscriber implements Subscriber {
    private final long[] cell = new long[16];

    @Override
    public boolean offer(Frame frame) {
        cell[8]++;
        return true;
    }

    @Override
    public void offerAlways(Frame frame) {
        cell[8]++;
    }

    @Override
    public void evictSlow() {
        throw new AssertionError("never full");
    }
}
