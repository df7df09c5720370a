package dev.parley.ws;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.helidon.webserver.ConnectionContext;

/**
 * New connections whose request headers have not fully arrived, with the time by which they must:
 * a client that sends its upgrade a byte at a time, or nothing at all, would otherwise hold a
 * socket and a thread for ever. The watchdog {@link #sweep}s; an expired connection's socket is
 * closed, which ends Helidon's read of the headers.
 */
public final class HeaderDeadlines {
    private static final System.Logger LOG = System.getLogger(HeaderDeadlines.class.getName());

    /** Connection → System.nanoTime() deadline. Armed on Helidon's connection thread, disarmed there or by the sweep. */
    private final Map<ConnectionContext, Long> pending = new ConcurrentHashMap<>();
    private final long timeout;
    private final Runnable onExpired;

    HeaderDeadlines(Duration timeout, Runnable onExpired) {
        this.timeout = timeout.toNanos();
        this.onExpired = onExpired;
    }

    void arm(ConnectionContext ctx) {
        pending.put(ctx, System.nanoTime() + timeout);
    }

    void disarm(ConnectionContext ctx) {
        pending.remove(ctx);
    }

    /** Connections still waiting for their headers (tests). */
    public int size() {
        return pending.size();
    }

    void sweep(long now) {
        for (Map.Entry<ConnectionContext, Long> e : pending.entrySet()) {
            if (now - e.getValue() >= 0 && pending.remove(e.getKey(), e.getValue())) {
                LOG.log(System.Logger.Level.DEBUG, "request headers not received in time; closing");
                onExpired.run();
                try {
                    e.getKey().serverSocket().close();
                } catch (RuntimeException ex) {
                    // already closed
                }
            }
        }
    }
}
