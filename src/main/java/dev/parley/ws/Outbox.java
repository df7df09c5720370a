package dev.parley.ws;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import dev.parley.protocol.CloseReason;
import dev.parley.protocol.Frame;

/**
 * A connection's bounded queue, and the only way to ask its writer for anything: frames, pings,
 * pongs, the close frame. Bounded in messages and in bytes, whichever is hit first. Producers
 * never block; the lock is held for queue bookkeeping only, never across I/O.
 */
final class Outbox {
    /**
     * What the writer does next, in this order: pong, ping, the {@code frames} frames placed in
     * the caller's batch list ({@code bytes} long together, {@code objects} server objects), close.
     */
    record Work(byte[] pong, boolean ping, int frames, int objects, int bytes, CloseReason close, boolean stop) {
        static final Work STOP = new Work(null, false, 0, 0, 0, null, true);
    }

    private final int maxMessages;
    private final long maxBytes;
    private final int batchBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    // All fields below are guarded by lock.
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    /** Server objects queued: a room's batch frame counts each message it holds. */
    private int messages;
    private long bytes;
    private boolean ping;
    private byte[] pong;
    /** Set once a close is requested; no frame is accepted after it. */
    private CloseReason close;
    /** With a close: send what is queued first (a drain) or drop it (the client is gone or too slow). */
    private boolean flushFirst;
    /** Set when the connection is being torn down: the writer exits without writing more. */
    private boolean stopped;
    /** The writer thread now serving this outbox, or null while none is needed. */
    private Thread writer;
    /** While above 0, new frames do not wake the writer ({@link #hold}). */
    private int held;
    /** Set by {@link #retireIdleWriter}: the waiting writer ends instead of waiting on. */
    private boolean retire;
    /**
     * False while the running writer has been asked for nothing but a ping or a pong: it then ends
     * as soon as that is written instead of waiting {@code writerIdle} for more. An idle
     * connection's heartbeat then costs one thread start, not also a retirement five seconds later
     * (bench/README.md, "Floors, idle connections in steady state, and the heartbeat's writer").
     */
    private boolean lingers;
    /** System.nanoTime() when the writer last began to wait for work; 0 while it works. */
    private volatile long waitingSince;

    /** Starts a writer thread when work arrives and none is running; null = the caller runs one itself. */
    private final Supplier<Thread> spawn;
    private final long writerIdleNanos;
    /** Told, under the lock, when a writer begins to wait: the time from which it may be retired. */
    private final LongConsumer retirableAt;

    /** An outbox whose single writer the caller runs, forever. */
    Outbox(int maxMessages, long maxBytes, int batchBytes) {
        this(maxMessages, maxBytes, batchBytes, null, Duration.ZERO, at -> { });
    }

    /**
     * An outbox that starts its writer on demand and lets it end after {@code writerIdle} without
     * work ({@link #retireIdleWriter}): an idle connection then holds no writer thread at all
     * (~3 KB each, bench/README.md), while a busy one keeps the same writer. At most one writer
     * exists at a time. {@code retirableAt} hears when a waiting writer may be retired, so the
     * watchdog looks at this outbox then and not before.
     */
    Outbox(int maxMessages, long maxBytes, int batchBytes, Supplier<Thread> spawn, Duration writerIdle,
           LongConsumer retirableAt) {
        this.retirableAt = retirableAt;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.batchBytes = batchBytes;
        this.spawn = spawn;
        this.writerIdleNanos = writerIdle.toNanos();
    }

    /**
     * Queues a frame; false if the bound is hit. An empty outbox takes any frame, so a batch
     * larger than the bound still gets through to a client that keeps up. Frames offered after a
     * close are dropped silently.
     */
    boolean offer(Frame f) {
        lock.lock();
        try {
            if (close != null || stopped) {
                return true; // the connection is ending; a resuming client gets it from history
            }
            if (!frames.isEmpty() && (messages + f.count() > maxMessages || bytes + f.bytes() > maxBytes)) {
                return false;
            }
            add(f);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** How far past its bound a saturated room may fill an outbox ({@link #offerPastBound}). */
    static final int HARD_BOUND_FACTOR = 4;

    /**
     * Queues a frame past the bound, up to {@link #HARD_BOUND_FACTOR} times it; false beyond.
     * Cheap in memory: a room's batch is one frame shared by every outbox that holds it.
     */
    boolean offerPastBound(Frame f) {
        lock.lock();
        try {
            if (close != null || stopped) {
                return true;
            }
            if (!frames.isEmpty() && (messages + f.count() > (long) HARD_BOUND_FACTOR * maxMessages
                                      || bytes + f.bytes() > HARD_BOUND_FACTOR * maxBytes)) {
                return false;
            }
            add(f);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a frame past the bound (join replay and replies bounded by their own limits). */
    void offerAlways(Frame f) {
        lock.lock();
        try {
            if (close == null && !stopped) {
                add(f);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Until {@link #release}, the writer takes nothing (a waiting one is not woken, a running one
     * waits), so what the caller queues meanwhile leaves in one write: a sender's own copy of its
     * message and its ack ride in one frame. For the reader's publish only, which lasts
     * microseconds (a round trip with Redis); a close or a stop is never held up.
     */
    void hold() {
        lock.lock();
        try {
            held++;
        } finally {
            lock.unlock();
        }
    }

    void release() {
        lock.lock();
        try {
            if (--held == 0 && (!frames.isEmpty() || ping || pong != null)) {
                wake();
            }
        } finally {
            lock.unlock();
        }
    }

    void ping() {
        lock.lock();
        try {
            ping = true;
            wakeForControl();
        } finally {
            lock.unlock();
        }
    }

    void pong(byte[] payload) {
        lock.lock();
        try {
            pong = payload;
            wakeForControl();
        } finally {
            lock.unlock();
        }
    }

    /** Asks the writer to send a close frame and finish. The first request wins. */
    void close(CloseReason reason, boolean flush) {
        lock.lock();
        try {
            if (close == null && !stopped) {
                close = reason;
                flushFirst = flush;
                if (!flush) {
                    clear();
                }
                wake();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Tells the writer to exit now, writing nothing more. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            clear();
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The writer thread that served this outbox last (after {@link #stop()}: the last one ever). */
    Thread writer() {
        lock.lock();
        try {
            return writer;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the writer if it has waited for work since before {@code now - writerIdle}; the next
     * piece of work starts a new one. Returns when to look again (a writer waiting, not yet long
     * enough), or 0. Called by the watchdog: the writer itself waits without a timeout, because a
     * timed wait costs a timer per wait — one per frame written — which made every write dearer
     * (bench/README.md, "Fan-out coalescing").
     */
    long retireIdleWriter(long now) {
        long since = waitingSince;
        if (spawn == null || since == 0) {
            return 0;
        }
        if (now - since < writerIdleNanos) {
            return since + writerIdleNanos;
        }
        lock.lock();
        try {
            if (writer != null && waitingSince != 0 && now - waitingSince >= writerIdleNanos) {
                retire = true;
                ready.signal();
            }
        } finally {
            lock.unlock();
        }
        return 0;
    }

    /** Under the lock: signal the writer, or start one that stays for more work ({@code writerIdle}). */
    private void wake() {
        lingers = true;
        if (spawn != null && writer == null && !stopped) {
            writer = spawn.get(); // started under the lock, so stop() + writer() always see the last one
        } else {
            ready.signal();
        }
    }

    /** Under the lock: like {@link #wake}, but a writer started for a ping or a pong alone ends once it is written. */
    private void wakeForControl() {
        if (spawn != null && writer == null && !stopped) {
            lingers = false;
            writer = spawn.get();
        } else {
            ready.signal();
        }
    }

    /**
     * Waits for work and takes it. Queued frames move into {@code batch} (cleared first), up to
     * {@code batchBytes}: the writer sends them as one text frame, one socket write for many
     * deliveries. Only references move under the lock; the bytes are copied outside it (copying
     * under the lock made producers wait: 0.09–0.96× the throughput, OutboxBenchmark).
     */
    Work take(List<Frame> batch) throws InterruptedException {
        lock.lock();
        try {
            // While held, a running writer waits too: what the holder queues must leave together.
            while (!stopped && close == null && (held > 0 || (!ping && pong == null && frames.isEmpty()))) {
                if ((retire || !lingers && spawn != null) && held == 0) {
                    retire = false;
                    waitingSince = 0;
                    writer = null; // idle long enough: end; the next piece of work starts a new writer
                    return Work.STOP;
                }
                if (waitingSince == 0) {
                    waitingSince = System.nanoTime();
                    if (spawn != null) {
                        retirableAt.accept(waitingSince + writerIdleNanos);
                    }
                }
                ready.await();
            }
            waitingSince = 0;
            retire = false;
            if (stopped) {
                return Work.STOP;
            }
            byte[] pongNow = pong;
            boolean pingNow = ping;
            pong = null;
            ping = false;
            batch.clear();
            int size = 0;
            int objects = 0;
            Frame f;
            // size + batch.size(): the payload so far plus the newline that would precede f.
            while ((f = frames.peek()) != null && (batch.isEmpty() || size + batch.size() + f.bytes() <= batchBytes)) {
                frames.poll();
                batch.add(f);
                size += f.bytes();
                objects += f.count();
                bytes -= f.bytes();
                messages -= f.count();
            }
            CloseReason closeNow = frames.isEmpty() ? close : null;
            return new Work(pongNow, pingNow, batch.size(), objects, size, closeNow, false);
        } finally {
            lock.unlock();
        }
    }

    private void add(Frame f) {
        frames.add(f);
        bytes += f.bytes();
        messages += f.count();
        if (frames.size() == 1 && held == 0) {
            wake(); // the writer only waits when the queue is empty
        }
    }

    private void clear() {
        frames.clear();
        bytes = 0;
        messages = 0;
    }
}
