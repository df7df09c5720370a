package dev.parley.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.parley.hub.Subscriber;
import dev.parley.protocol.Frame;

/**
 * Benchmark support: a hub {@link Subscriber} backed by a real {@link Outbox}, drained by a
 * virtual thread that stands in for the {@link SessionWriter} — started on demand as
 * {@code Connection} has the outbox do it, and ended by {@link #close()} (nothing here plays the
 * watchdog that retires idle writers); it
 * takes {@link Outbox.Work} exactly as the writer does, assembles the batch into one array as the
 * writer does before its socket write, discards it, and counts the objects it carried into a
 * shared {@link Drains}. In this package because {@code Outbox} is package-private (a split
 * package on the benchmark's classpath).
 */
public final class DrainedOutbox implements Subscriber, AutoCloseable {
    private final Outbox outbox;
    private final Drains drains;
    /** The drainer's last batch: kept so that assembling it cannot be optimised away. */
    @SuppressWarnings("unused")
    private byte[] written;

    /** Bounds as Connection sets them: parley.outbox.* and Frame.MAX_BATCH_BYTES. */
    public DrainedOutbox(int maxMessages, long maxBytes, Drains drains) {
        this.outbox = new Outbox(maxMessages, maxBytes, Frame.MAX_BATCH_BYTES, this::startDrainer,
                                 Connection.WRITER_IDLE, at -> { });
        this.drains = drains;
    }

    /** Called by the outbox, under its lock, when work arrives and no drainer is running. */
    private Thread startDrainer() {
        return Thread.ofVirtual().name("bench-drain").start(this::drain);
    }

    private void drain() {
        List<Frame> batch = new ArrayList<>();
        try {
            while (true) {
                Outbox.Work work = outbox.take(batch);
                if (work.stop()) {
                    return;
                }
                if (work.frames() > 0) {
                    written = assemble(batch, work.bytes() + work.frames() - 1);
                    drains.add(work.objects());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The batch as {@code SessionWriter.sendText} lays it out for one text frame: the objects
     * separated by newlines (the 2-10 header bytes aside).
     */
    static byte[] assemble(List<Frame> batch, int payload) {
        byte[] out = new byte[payload];
        Frame.copyJoined(batch, 0, batch.size(), out, 0);
        return out;
    }

    @Override
    public boolean offer(Frame frame) {
        return outbox.offer(frame);
    }

    @Override
    public void offerAlways(Frame frame) {
        outbox.offerAlways(frame);
    }

    @Override
    public void evictSlow() {
        drains.evicted.incrementAndGet();
    }

    /** Stops the drainer and waits for it (bounded). */
    @Override
    public void close() throws InterruptedException {
        outbox.stop();
        Thread drainer = outbox.writer();
        if (drainer != null && !drainer.join(Duration.ofSeconds(10))) {
            throw new IllegalStateException("drainer did not stop within 10 s");
        }
    }

    /**
     * Objects drained by every {@link DrainedOutbox} sharing it, and a bounded wait for a count.
     * One waiting thread; it announces what it expects before it causes it, so the drainer whose
     * objects reach the target is the one that wakes it, once.
     */
    public static final class Drains {
        private final AtomicLong drained = new AtomicLong();
        private final AtomicLong evicted = new AtomicLong();
        /** Written by the waiting thread only. */
        private volatile long target;
        private volatile Thread waiter;

        void add(int frames) {
            long now = drained.addAndGet(frames);
            long t = target;
            if (now >= t && now - frames < t) {
                LockSupport.unpark(waiter);
            }
        }

        /** Announces {@code objects} more to come; call before causing them. */
        public void expect(long objects) {
            waiter = Thread.currentThread();
            target += objects;
        }

        /** Waits until everything announced was drained; fails after {@code bound} instead of hanging. */
        public void await(Duration bound) {
            long deadline = System.nanoTime() + bound.toNanos();
            long t = target;
            while (drained.get() < t) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("drained " + drained.get() + " of " + t + " within " + bound);
                }
                LockSupport.parkNanos(this, left);
            }
            if (evicted.get() != 0) {
                throw new IllegalStateException(evicted.get() + " subscribers were evicted as slow");
            }
        }

        public long drained() {
            return drained.get();
        }
    }
}
