package dev.parley.bench.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * What one connection observed. Written only by the connection's reading thread; other threads
 * read {@link #inWindow()} for progress, and everything else after the reader has stopped
 * (a thread join or a reactor shutdown gives the happens-before edge).
 */
final class PeerStats implements ServerTextScanner.Listener {

    /** Highest latency recorded, in microseconds; slower deliveries are clamped to it. */
    static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(5);

    private final Window window;
    /** False for connections whose deliveries are counted but not timed (senders). */
    private final boolean measureLatency;
    /**
     * Delivery latency of in-window messages, microseconds. A reactor hands in one histogram
     * shared by all the connections it reads of one group, so recording stays in its cache (one
     * 82 KB histogram per receiver made the first touch per read a cache miss, a quarter of the
     * generator's Java time); a connection read by its own thread gets its own, made on first use.
     */
    private AbstractHistogram latency;
    /**
     * Last counter seen per sender index, -1 before the first; null when ordering is not checked.
     * Receivers join before any sender starts, so counter 0 is the first each one must see.
     */
    private final long[] lastCounter;

    /** In-window deliveries; volatile so the drain loop sees progress (single writer). */
    private volatile long inWindow;
    /** Volatile for a publish run's drain, which counts warm-up copies too (single writer). */
    private volatile long outOfWindow;
    private long foreign;
    private long gaps;
    private long reorders;
    /** Volatile so a publish run can count acks at the window's edges (single writer). */
    private volatile long acks;
    /** {@code presence} objects received; volatile for a join storm's drain (single writer). */
    private volatile long presence;
    /**
     * The most names this connection was told its room holds: the length of its {@code joined}
     * list, or a later {@code presence}'s count if larger (-1 before a join). While members only
     * arrive, as in a join storm, it reaches the room's size once every change has reached this
     * member. Volatile for the storm's drain (single writer).
     */
    private volatile int roomSizeSeen = -1;
    /** Publish mode: one permit back per reply to a send (ack or error); null otherwise. */
    private final Semaphore replies;
    /** Socket reads that returned data, and text messages (frames) decoded: with deliveries they
     *  show how much the server coalesces, which drives both sides' cost per delivery. */
    private long reads;
    private long frames;
    private final Map<String, Integer> errors = new TreeMap<>();
    private boolean hello;
    private boolean joined;
    private int joins;
    /** Close code seen by this side, 0 while open; 1006 for a drop without a close frame. */
    private volatile int closeCode;

    PeerStats(Window window, boolean measureLatency, int senders) {
        this(window, measureLatency, senders, null);
    }

    PeerStats(Window window, boolean measureLatency, int senders, Semaphore replies) {
        this.window = window;
        this.replies = replies;
        this.measureLatency = measureLatency;
        if (senders > 0) {
            lastCounter = new long[senders];
            java.util.Arrays.fill(lastCounter, -1);
        } else {
            lastCounter = null;
        }
    }

    @Override
    public void onStamped(long sentNanos, int sender, long counter, long nowNanos) {
        if (lastCounter != null && sender < lastCounter.length) {
            long last = lastCounter[sender];
            if (counter <= last) {
                reorders++;
            } else {
                if (counter > last + 1) {
                    gaps += counter - last - 1;
                }
                lastCounter[sender] = counter;
            }
        }
        if (!window.contains(sentNanos)) {
            outOfWindow++;
            return;
        }
        inWindow++;
        if (measureLatency) {
            if (latency == null) {
                // Int counts halve the footprint; no bucket of one receiver reaches 2^31.
                latency = new IntCountsHistogram(MAX_LATENCY_MICROS, 3);
            }
            long micros = (nowNanos - sentNanos) / 1000;
            latency.recordValue(Math.max(0, Math.min(micros, MAX_LATENCY_MICROS)));
        }
    }

    @Override
    public void onForeignMessage() {
        foreign++;
    }

    @Override
    public void onHello() {
        hello = true;
    }

    @Override
    public void onJoined(int members) {
        joined = true;
        joins++;
        if (members > roomSizeSeen) {
            roomSizeSeen = members;
        }
    }

    @Override
    public void onAck() {
        acks++;
        if (replies != null) {
            replies.release();
        }
    }

    @Override
    public void onPresence(int count) {
        presence++;
        if (count > roomSizeSeen) {
            roomSizeSeen = count;
        }
    }

    @Override
    public void onError(String code) {
        errors.merge(code, 1, Integer::sum);
        if (replies != null) {
            replies.release();
        }
    }

    void onRead() {
        reads++;
    }

    void onFrame() {
        frames++;
    }

    long reads() {
        return reads;
    }

    long frames() {
        return frames;
    }

    void closed(int code) {
        if (closeCode == 0) {
            closeCode = code;
        }
    }

    boolean hello() {
        return hello;
    }

    boolean joined() {
        return joined;
    }

    /** {@code joined} answers received so far. */
    int joins() {
        return joins;
    }

    long inWindow() {
        return inWindow;
    }

    long outOfWindow() {
        return outOfWindow;
    }

    long foreign() {
        return foreign;
    }

    long gaps() {
        return gaps;
    }

    long reorders() {
        return reorders;
    }

    long acks() {
        return acks;
    }

    long presence() {
        return presence;
    }

    int roomSizeSeen() {
        return roomSizeSeen;
    }

    Map<String, Integer> errors() {
        return errors;
    }

    int closeCode() {
        return closeCode;
    }

    /** Records into {@code shared} from now on; called on the thread that will read, before it reads. */
    void shareLatency(AbstractHistogram shared) {
        if (!measureLatency) {
            return;
        }
        if (latency != null) {
            shared.add(latency);
        }
        latency = shared;
    }

    /** May be null (nothing recorded) and may be shared with other connections. */
    AbstractHistogram latency() {
        return latency;
    }
}
