package dev.parley.ws;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import dev.parley.protocol.Encoder;
import dev.parley.protocol.Frame;

/**
 * Question: does the {@link Outbox}'s single {@code ReentrantLock} hold up when producers offer
 * while its writer drains, or would a lock-free queue move more frames?
 *
 * <p>In this package because {@code Outbox} is package-private (a split package on the
 * benchmark's classpath). Variants, all with the default bounds (1,024 messages, 1 MiB) and
 * {@link Frame#MAX_BATCH_BYTES} batches:
 * <ul>
 * <li>{@code locked}: the real {@code Outbox}. {@code take} moves frame references into the
 *     writer's list under the lock; the writer joins their bytes after it. (With a writer the
 *     caller runs, here the benchmark's thread: {@code Connection}'s writer started on demand
 *     behaves the same while it has work.)</li>
 * <li>{@code copyUnderLock}: the same lock and queue, but the batch is joined while the lock is
 *     held — the outbox as it was before commit 2bd5bda ("only references move under the
 *     lock"), kept to measure what that change bought the producers
 *     ({@link CopyUnderLockOutbox}).</li>
 * <li>{@code lockfree}: the same contract on a {@link ConcurrentLinkedQueue}, the bounds kept with
 *     atomic counts, the writer parked and unparked ({@link LockFreeOutbox}).</li>
 * </ul>
 * Groups: {@code p1} is one producer and the writer — a connection in one room, whose offers
 * that room's lock already serialises; {@code p3} is three producers and the writer — a
 * connection in several busy rooms (oversubscribed on 2 cores, as a busy server is). A producer's
 * operation delivers one 201-byte message frame, retrying with {@code Thread.yield()} while the
 * queue is full (counted as {@code full}); the writer's is one {@code take} plus joining the batch
 * into one array as {@link SessionWriter} does before its socket write ({@code frames} counts what
 * it carried). So the writer's frames a second is the outbox's transfer rate. Three forks, not
 * one: where the scheduler puts two to four busy threads on two cores differs from JVM to JVM.
 *
 * <p>Expected: the writer takes the lock once per batch of up to ~160 frames, so a producer
 * meets it rarely; one CAS per offer for the lock against three atomic updates and a node
 * allocation for the lock-free queue make {@code locked} at least as fast with one producer.
 * With three producers on two cores a preempted lock holder stalls the others, so
 * {@code lockfree} may gain there. {@code copyUnderLock} should trail {@code locked}: producers
 * wait while the writer copies up to 32 KiB.
 *
 * <p>Measured (bench/README.md, four runs of 3 forks on 2 cores): with one producer the outbox
 * moved 13-16 million frames a second (3.4 in a disturbed run); {@code lockfree} 1.0-3.7x that,
 * {@code copyUnderLock} 0.09-0.96x. With three producers no variant leads in every run. Neither
 * expectation about {@code lockfree} held; the lock has four orders of magnitude of headroom over
 * what a chat connection receives.
 */
@Fork(3)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OutboxBenchmark {
    /** The outbox's bounds: parley.outbox.max-messages and parley.outbox.max-bytes defaults. */
    private static final int MAX_MESSAGES = 1024;
    private static final long MAX_BYTES = 1024 * 1024;

    /** The contract every variant meets, as SessionWriter and Room use it. */
    interface Queue {
        boolean offer(Frame f);

        /**
         * Waits for frames and returns them joined for the wire; the frames taken are left in
         * {@code batch}. Null, with {@code batch} empty, when woken with nothing queued.
         */
        byte[] take(List<Frame> batch) throws InterruptedException;

        /** Makes a waiting take return, so that the writer can see the end of an iteration. */
        void wake();
    }

    @State(Scope.Group)
    public static class Shared {
        @Param({"locked", "copyUnderLock", "lockfree"})
        String variant;

        Queue queue;
        Frame frame;
        private Thread waker;
        private volatile boolean running;

        @Setup(Level.Trial)
        public void setUp() {
            queue = switch (variant) {
                case "locked" -> new Locked(new Outbox(MAX_MESSAGES, MAX_BYTES, Frame.MAX_BATCH_BYTES));
                case "copyUnderLock" -> new CopyUnderLockOutbox(MAX_MESSAGES, MAX_BYTES, Frame.MAX_BATCH_BYTES);
                case "lockfree" -> new LockFreeOutbox(MAX_MESSAGES, MAX_BYTES, Frame.MAX_BATCH_BYTES);
                default -> throw new IllegalArgumentException(variant);
            };
            frame = Encoder.message("lobby", 123_456, "alice", "x".repeat(100), 1_700_000_000_000L, "m-1");
            // JMH stops the producers and the writer independently; a writer waiting on an empty
            // queue would never return. A wake a millisecond (a ping to the real outbox) frees it.
            running = true;
            waker = Thread.ofPlatform().daemon().name("outbox-bench-waker").start(() -> {
                while (running) {
                    LockSupport.parkNanos(1_000_000);
                    queue.wake();
                }
            });
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            running = false;
            waker.join();
        }
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Producer {
        /** Offers refused because the queue was at its bound. */
        public long full;

        @Setup(Level.Iteration)
        public void reset() {
            full = 0;
        }
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Writer {
        /** Frames the writer took out, coalesced. */
        public long frames;
        final List<Frame> batch = new ArrayList<>();

        @Setup(Level.Iteration)
        public void reset() {
            frames = 0;
        }
    }

    @Benchmark
    @Group("p1")
    @GroupThreads(1)
    public boolean offer1(Shared s, Producer p, Control c) {
        return deliver(s, p, c);
    }

    @Benchmark
    @Group("p1")
    @GroupThreads(1)
    public byte[] take1(Shared s, Writer w) throws InterruptedException {
        return drain(s, w);
    }

    @Benchmark
    @Group("p3")
    @GroupThreads(3)
    public boolean offer3(Shared s, Producer p, Control c) {
        return deliver(s, p, c);
    }

    @Benchmark
    @Group("p3")
    @GroupThreads(1)
    public byte[] take3(Shared s, Writer w) throws InterruptedException {
        return drain(s, w);
    }

    private static boolean deliver(Shared s, Producer p, Control c) {
        while (!s.queue.offer(s.frame)) {
            if (c.stopMeasurement) {
                return false; // the writer may have stopped already: nobody would make room
            }
            p.full++;
            Thread.yield();
        }
        return true;
    }

    private static byte[] drain(Shared s, Writer w) throws InterruptedException {
        byte[] wire = s.queue.take(w.batch);
        w.frames += w.batch.size();
        return wire;
    }

    /** Payload of a text frame holding {@code batch}: the objects and the newlines between them. */
    private static int payload(List<Frame> batch) {
        int n = Math.max(0, batch.size() - 1);
        for (Frame f : batch) {
            n += f.bytes();
        }
        return n;
    }

    static final class Locked implements Queue {
        private final Outbox outbox;

        Locked(Outbox outbox) {
            this.outbox = outbox;
        }

        @Override
        public boolean offer(Frame f) {
            return outbox.offer(f);
        }

        @Override
        public byte[] take(List<Frame> batch) throws InterruptedException {
            Outbox.Work work = outbox.take(batch);
            return work.frames() == 0 ? null : DrainedOutbox.assemble(batch, work.bytes() + work.frames() - 1);
        }

        @Override
        public void wake() {
            outbox.ping();
        }
    }

    /**
     * The outbox's design before commit 2bd5bda, frames only: the same lock, queue and bounds,
     * but {@code take} joins the batch while it holds the lock, so producers wait for the copy.
     */
    static final class CopyUnderLockOutbox implements Queue {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition ready = lock.newCondition();
        private final ArrayDeque<Frame> frames = new ArrayDeque<>();
        private final int maxMessages;
        private final long maxBytes;
        private final int batchBytes;
        /** Guarded by lock. */
        private long bytes;
        private boolean woken;

        CopyUnderLockOutbox(int maxMessages, long maxBytes, int batchBytes) {
            this.maxMessages = maxMessages;
            this.maxBytes = maxBytes;
            this.batchBytes = batchBytes;
        }

        @Override
        public boolean offer(Frame f) {
            lock.lock();
            try {
                if (frames.size() >= maxMessages || bytes + f.bytes() > maxBytes) {
                    return false;
                }
                frames.add(f);
                bytes += f.bytes();
                if (frames.size() == 1) {
                    ready.signal();
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public byte[] take(List<Frame> batch) throws InterruptedException {
            lock.lock();
            try {
                while (frames.isEmpty() && !woken) {
                    ready.await();
                }
                batch.clear();
                if (frames.isEmpty()) {
                    woken = false;
                    return null;
                }
                int size = 0;
                Frame f;
                while ((f = frames.peek()) != null && (batch.isEmpty() || size + f.bytes() + 1 <= batchBytes)) {
                    frames.poll();
                    batch.add(f);
                    size += f.bytes() + 1;
                    bytes -= f.bytes();
                }
                return DrainedOutbox.assemble(batch, payload(batch));
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void wake() {
            lock.lock();
            try {
                woken = true;
                ready.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The alternative: a multi-producer, single-consumer queue with no lock. The bounds are
     * reserved with atomic adds (and given back when over); the writer parks when it finds the
     * queue empty, and a producer unparks it when it sees it parked. Batches as {@link Outbox#take}
     * makes them. Frames only: pings, pongs and close are left out, which favours it.
     */
    static final class LockFreeOutbox implements Queue {
        private final ConcurrentLinkedQueue<Frame> frames = new ConcurrentLinkedQueue<>();
        private final AtomicInteger count = new AtomicInteger();
        private final AtomicLong bytes = new AtomicLong();
        private final int maxMessages;
        private final long maxBytes;
        private final int batchBytes;
        /** The consumer thread, set by it before it first parks. */
        private volatile Thread writer;
        /** True while the writer is (about to be) parked: producers unpark it. */
        private volatile boolean parked;
        private volatile boolean woken;

        LockFreeOutbox(int maxMessages, long maxBytes, int batchBytes) {
            this.maxMessages = maxMessages;
            this.maxBytes = maxBytes;
            this.batchBytes = batchBytes;
        }

        @Override
        public boolean offer(Frame f) {
            if (count.getAndIncrement() >= maxMessages) {
                count.decrementAndGet();
                return false;
            }
            if (bytes.addAndGet(f.bytes()) > maxBytes) {
                bytes.addAndGet(-f.bytes());
                count.decrementAndGet();
                return false;
            }
            frames.offer(f);
            if (parked) {
                LockSupport.unpark(writer);
            }
            return true;
        }

        @Override
        public byte[] take(List<Frame> batch) {
            batch.clear();
            Frame f;
            while ((f = frames.poll()) == null) {
                if (woken) {
                    woken = false;
                    return null;
                }
                writer = Thread.currentThread();
                parked = true; // then re-check: an offer either sees this flag or we see its frame
                if (frames.isEmpty() && !woken) {
                    LockSupport.park(this);
                }
                parked = false;
            }
            int size = 0;
            while (true) {
                batch.add(f);
                size += f.bytes() + 1;
                Frame next = frames.peek();
                if (next == null || size + next.bytes() + 1 > batchBytes) {
                    break;
                }
                f = frames.poll(); // the only consumer: this is `next`
            }
            count.addAndGet(-batch.size());
            bytes.addAndGet(-(size - batch.size()));
            return DrainedOutbox.assemble(batch, payload(batch));
        }

        @Override
        public void wake() {
            woken = true;
            Thread w = writer;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }
}
