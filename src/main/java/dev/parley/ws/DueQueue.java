package dev.parley.ws;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each connection next needs the watchdog: a heartbeat, an idle or close-handshake timeout,
 * an auth deadline, an idle writer to retire. The watchdog takes only what has fallen due, so an
 * idle server's work grows with the timers that come due — about one per connection per
 * heartbeat — instead of a scan of every connection every period.
 *
 * <p>Each connection holds one {@link Due}: its due time, which {@link #schedule} only ever moves
 * earlier, adding an entry each time. An entry that no longer matches its {@code Due} is dropped
 * when its time comes; nothing is searched for or removed early. A released {@code Due} lets go of
 * its owner at once, so the entries left behind hold a few bytes, not a closed connection. An
 * entry costs O(log n) in a skip list, paid about once per heartbeat per connection and at most
 * once per writer-idle period while a writer waits.
 */
final class DueQueue<T> {
    /** One owner's due time on the queue. */
    static final class Due<T> {
        /** System.nanoTime() when due; 0 while not scheduled. Moved earlier by any thread (CAS), cleared when it fires. */
        private final AtomicLong at = new AtomicLong();
        /** Null once released: the owner is gone and nothing of it may stay reachable from here. */
        private volatile T owner;

        Due(T owner) {
            this.owner = owner;
        }

        /** The owner is gone: every entry of it is dropped when it comes due. */
        void release() {
            owner = null;
            at.set(0);
        }
    }

    private record Entry<T>(long at, long order, Due<T> due) {
    }

    private final ConcurrentSkipListSet<Entry<T>> entries = new ConcurrentSkipListSet<>((a, b) -> {
        int c = Long.signum(a.at - b.at); // System.nanoTime() order, safe across wrap-around
        return c != 0 ? c : Long.compare(a.order, b.order);
    });
    private final AtomicLong order = new AtomicLong();

    /** Makes {@code d} due at {@code at} unless it is due sooner already (or released). Any thread. */
    void schedule(Due<T> d, long at) {
        long when = at == 0 ? 1 : at; // 0 means "not scheduled"
        long cur;
        do {
            if (d.owner == null) {
                return;
            }
            cur = d.at.get();
            if (cur != 0 && cur - when <= 0) {
                return;
            }
        } while (!d.at.compareAndSet(cur, when));
        entries.add(new Entry<>(when, order.incrementAndGet(), d));
    }

    /** Watchdog thread: the owners due by {@code now}, each claimed (its due time cleared) so that the caller schedules it again. */
    List<T> due(long now) {
        List<T> fired = null;
        while (!entries.isEmpty()) { // only this thread removes, so first() cannot fail
            Entry<T> e = entries.first();
            if (e.at - now > 0) {
                break;
            }
            entries.remove(e);
            T owner = e.due.owner;
            if (owner != null && e.due.at.compareAndSet(e.at, 0)) {
                if (fired == null) {
                    fired = new ArrayList<>();
                }
                fired.add(owner);
            }
        }
        return fired == null ? List.of() : fired;
    }

    /** Entries held, stale ones included. */
    int size() {
        return entries.size();
    }
}
