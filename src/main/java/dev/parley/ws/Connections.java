package dev.parley.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.parley.config.ParleyConfig;
import dev.parley.hub.Hub;

/**
 * The open connections of this server and the one watchdog that keeps time for all of them:
 * write deadlines, idle timeouts, heartbeats, close handshakes, header deadlines of new
 * connections, and the room sweep. Each period it looks only at the writes under way and at the
 * connections that have fallen due ({@link DueQueue}) — an idle server does work per heartbeat per
 * connection, not per period per connection — and the period bounds how late a deadline is
 * noticed. The end of a connection needs no timer: its reader reports it ({@link ConnectionEnded}).
 */
public final class Connections implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Connections.class.getName());
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    /** Connections whose writer is in a socket write now: the only ones a write deadline can catch. */
    private final Set<Connection> writing = ConcurrentHashMap.newKeySet();
    /** When each connection next needs the watchdog. */
    private final DueQueue<Connection> due = new DueQueue<>();
    /** Connections the watchdog has looked at, ever; written by the watchdog only. */
    private volatile long ticks;
    /** Open connections per client address (as resolved through trusted proxies). */
    private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();
    /** Writer threads still running, across all connections: proof that nothing leaks. */
    private final AtomicInteger threads = new AtomicInteger();
    /** Upgraded sockets whose reader (Helidon's connection thread, in Parley's frame loop) has not finished. */
    private final AtomicInteger readers = new AtomicInteger();
    private final ParleyConfig config;
    private final Hub hub;
    private final long period;
    private final Thread watchdog;
    private final HeaderDeadlines headerDeadlines;
    /** Counts a connection closed for slow headers; set once at start-up, before any connection. */
    private volatile Runnable onHeaderTimeout = () -> { };
    private volatile boolean draining;
    private volatile boolean closed;

    public Connections(ParleyConfig config, Hub hub) {
        this.config = config;
        this.hub = hub;
        // A deadline is noticed at most one period late; a tenth of the deadline keeps that small.
        this.period = Math.max(Duration.ofMillis(10).toNanos(),
                               Math.min(Duration.ofMillis(250).toNanos(), config.writeDeadline().toNanos() / 10));
        this.headerDeadlines = new HeaderDeadlines(config.headerTimeout(), () -> onHeaderTimeout.run());
        this.watchdog = Thread.ofPlatform().daemon().name("parley-watchdog").start(this::watch);
    }

    public int size() {
        return open.size();
    }

    /** New connections still waiting for their request headers. */
    public HeaderDeadlines headerDeadlines() {
        return headerDeadlines;
    }

    void onHeaderTimeout(Runnable r) {
        onHeaderTimeout = r;
    }

    /** True once a shutdown drain has begun: new upgrades are refused. */
    public boolean draining() {
        return draining;
    }

    /** Writer threads that have not ended yet. */
    public int liveThreads() {
        return threads.get();
    }

    /** Upgraded connections still being read: back to zero once every socket's reader has run its end callback. */
    public int liveReaders() {
        return readers.get();
    }

    void readerStarted() {
        readers.incrementAndGet();
    }

    void readerEnded() {
        readers.decrementAndGet();
    }

    /** Starts a per-connection virtual thread and counts it until it ends. */
    Thread startThread(String name, Runnable task) {
        threads.incrementAndGet();
        // Not inheriting: the caller may be working for a different connection (LogContext).
        return Thread.ofVirtual().name(name).inheritInheritableThreadLocals(false).start(() -> {
            try {
                task.run();
            } finally {
                threads.decrementAndGet();
            }
        });
    }

    void add(Connection c) {
        open.add(c);
        schedule(c, System.nanoTime());
    }

    /** The watchdog looks at {@code c} at {@code at} (System.nanoTime()) or sooner. Any thread. */
    void schedule(Connection c, long at) {
        due.schedule(c.due, at);
    }

    /** A write on {@code c}'s socket begins or ends. */
    void writing(Connection c, boolean begins) {
        if (begins) {
            writing.add(c);
        } else {
            writing.remove(c);
        }
    }

    /** How many times the watchdog has looked at a connection since start (its work, for tests and operators). */
    public long watchdogTicks() {
        return ticks;
    }

    /** Counts the connection against its client address; false when that address is over its limit. */
    boolean admit(String client) {
        int n = perAddress.merge(client, 1, Integer::sum);
        return config.connectionsPerAddress() == 0 || n <= config.connectionsPerAddress();
    }

    void remove(Connection c) {
        if (open.remove(c)) {
            perAddress.computeIfPresent(c.client(), (k, n) -> n == 1 ? null : n - 1);
        }
    }

    /**
     * Graceful shutdown: refuse new upgrades, then close every connection with 1001 after its
     * queued frames, a batch at a time so clients do not all reconnect in the same instant.
     * Returns once every connection is gone or the timeout passed (stragglers are aborted).
     */
    public void drain(Duration timeout) {
        draining = true;
        hub.flushNow();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Connection> all = new ArrayList<>(open);
        int batch = config.drainBatch();
        int batches = Math.max(1, (all.size() + batch - 1) / batch);
        // Spread the batches over at most half the timeout, leaving the rest for the handshakes.
        long pause = Math.min(Duration.ofMillis(100).toNanos(), timeout.toNanos() / 2 / batches);
        for (int i = 0; i < all.size(); i++) {
            all.get(i).closeWith(dev.parley.protocol.CloseReason.SHUTDOWN);
            if ((i + 1) % batch == 0 && i + 1 < all.size()) {
                sleepNanos(pause);
            }
        }
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            sleepNanos(Duration.ofMillis(10).toNanos());
        }
        if (!open.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, open.size() + " connections did not close within the drain timeout; aborting them");
            open.forEach(c -> c.abort(dev.parley.protocol.CloseReason.SHUTDOWN));
        }
    }

    /** Stops the watchdog, after the connections the server stop ended have cleaned up (bounded). */
    @Override
    public void close() {
        long deadline = System.nanoTime() + config.writeDeadline().toNanos();
        while (!open.isEmpty() && System.nanoTime() < deadline && sleepNanos(Duration.ofMillis(10).toNanos())) {
            // each connection's reader runs its cleanup as it ends
        }
        closed = true;
        watchdog.interrupt();
        try {
            watchdog.join(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch() {
        long writeDeadline = config.writeDeadline().toNanos();
        long idle = config.idleTimeout().toNanos();
        long heartbeat = config.heartbeat().toNanos();
        long nextSweep = System.nanoTime();
        while (!closed) {
            long now = System.nanoTime();
            for (Connection c : writing) {
                c.checkWrite(now, writeDeadline);
            }
            for (Connection c : due.due(now)) {
                ticks++;
                try {
                    long next = c.tick(now, writeDeadline, idle, heartbeat);
                    if (next != 0) {
                        due.schedule(c.due, next);
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "watchdog: session " + c.id(), e);
                    due.schedule(c.due, now + heartbeat);
                }
            }
            headerDeadlines.sweep(now);
            if (now - nextSweep >= 0) {
                hub.sweep(now);
                nextSweep = now + Duration.ofSeconds(1).toNanos();
            }
            if (!sleepNanos(period)) {
                return;
            }
        }
    }

    private static boolean sleepNanos(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
