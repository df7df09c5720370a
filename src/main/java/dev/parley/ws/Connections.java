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
 * write deadlines, idle timeouts, heartbeats, close handshakes, and the room sweep. One thread
 * scanning every connection a few times a second costs far less memory than a timer per
 * connection, and its period bounds how late a deadline is noticed.
 */
public final class Connections implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Connections.class.getName());
    /**
     * How often the watchdog looks for connections whose reader thread ended. A thread per
     * connection waiting on its reader would notice at once but costs ~3 KB per idle connection;
     * checking 15,000 readers' liveness 40 times a second costs well under 1 % of a core.
     */
    private static final long LIVENESS_PERIOD = Duration.ofMillis(25).toNanos();

    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    /** Open connections per client address (as resolved through trusted proxies). */
    private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();
    /** Writer and cleanup threads still running, across all connections: proof that nothing leaks. */
    private final AtomicInteger threads = new AtomicInteger();
    private final ParleyConfig config;
    private final Hub hub;
    private final long period;
    private final Thread watchdog;
    private volatile boolean draining;
    private volatile boolean closed;

    public Connections(ParleyConfig config, Hub hub) {
        this.config = config;
        this.hub = hub;
        // A deadline is noticed at most one period late; a tenth of the deadline keeps that small.
        this.period = Math.max(Duration.ofMillis(10).toNanos(),
                               Math.min(Duration.ofMillis(250).toNanos(), config.writeDeadline().toNanos() / 10));
        this.watchdog = Thread.ofPlatform().daemon().name("parley-watchdog").start(this::watch);
    }

    public int size() {
        return open.size();
    }

    /** True once a shutdown drain has begun: new upgrades are refused. */
    public boolean draining() {
        return draining;
    }

    /** Connection threads (writers, cleanups) that have not ended yet. */
    public int liveThreads() {
        return threads.get();
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

    /** Stops the watchdog, after cleaning up the connections whose readers the server stop ended. */
    @Override
    public void close() {
        closed = true;
        watchdog.interrupt();
        try {
            watchdog.join(Duration.ofSeconds(1));
            long deadline = System.nanoTime() + config.writeDeadline().toNanos();
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                for (Connection c : open) {
                    if (c.readerEnded() && c.claimCleanup()) {
                        c.cleanup();
                    }
                }
                Thread.sleep(Duration.ofNanos(LIVENESS_PERIOD));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch() {
        long writeDeadline = config.writeDeadline().toNanos();
        long idle = config.idleTimeout().toNanos();
        long heartbeat = config.heartbeat().toNanos();
        long nextTick = System.nanoTime();
        long nextSweep = nextTick;
        while (!closed) {
            long now = System.nanoTime();
            boolean tick = now - nextTick >= 0;
            for (Connection c : open) {
                try {
                    reapIfEnded(c);
                    if (tick) {
                        c.tick(now, writeDeadline, idle, heartbeat);
                    }
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "watchdog: session " + c.id(), e);
                }
            }
            if (tick) {
                nextTick = now + period;
            }
            if (now - nextSweep >= 0) {
                hub.sweep(now);
                nextSweep = now + Duration.ofSeconds(1).toNanos();
            }
            if (!sleepNanos(LIVENESS_PERIOD)) {
                return;
            }
        }
    }

    /**
     * Cleanup of a connection whose reader ended runs on a short-lived thread of its own: it waits
     * (bounded) for the writer, and the watchdog must not wait with it.
     */
    private void reapIfEnded(Connection c) {
        if (c.readerEnded() && c.claimCleanup()) {
            startThread("parley-cleanup-" + c.id(), c::cleanup);
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
