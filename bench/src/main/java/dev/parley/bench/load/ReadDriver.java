package dev.parley.bench.load;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads connections after their blocking phase, with one of two designs ({@code --io}):
 * {@code nio}, a few selector threads for all connections, or {@code vt}, one virtual thread per
 * connection blocked in a read. The scenarios do not care which.
 */
final class ReadDriver {

    private final LoadOptions.Io io;
    private final Reactor[] reactors;
    /** Thread mode only; guarded by this. */
    private final List<Thread> readers = new ArrayList<>();
    private int next;

    ReadDriver(LoadOptions.Io io, int reactorCount) {
        this.io = io;
        if (io == LoadOptions.Io.NIO) {
            reactors = new Reactor[reactorCount];
            for (int i = 0; i < reactorCount; i++) {
                reactors[i] = new Reactor("reactor-" + i);
                reactors[i].start();
            }
        } else {
            reactors = new Reactor[0];
        }
    }

    /**
     * Starts reading {@code c}; may be called from any thread. Connections of one {@code group}
     * (healthy, stalled) may share a latency histogram.
     */
    synchronized void start(WsConnection c, int group) {
        if (io == LoadOptions.Io.NIO) {
            reactors[next++ % reactors.length].attach(c, group);
        } else {
            readers.add(Thread.ofVirtual().name("reader-" + c.id).start(c::readLoop));
        }
    }

    /**
     * Reads {@code c} on its own virtual thread whatever the mode: senders stay in blocking mode,
     * so that a server that stops reading them blocks their writes, which then shows as send lag.
     */
    synchronized void startOwnThread(WsConnection c) {
        readers.add(Thread.ofVirtual().name("reader-" + c.id).start(c::readLoop));
    }

    /**
     * Waits until no thread reads any connection any more; the caller has closed them all.
     * Afterwards every connection's stats are safe to read.
     */
    void stop() throws InterruptedException {
        for (Reactor r : reactors) {
            r.stop();
        }
        List<Thread> copy;
        synchronized (this) {
            copy = new ArrayList<>(readers);
        }
        for (Thread t : copy) {
            t.join();
        }
    }
}
