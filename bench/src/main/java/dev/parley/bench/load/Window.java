package dev.parley.bench.load;

/**
 * The measured window in the generator's {@link System#nanoTime()} clock. A delivery counts
 * when the send time stamped in it lies in {@code [start, end)}, so warm-up traffic and a late
 * tail are attributed by when they were sent, not by when they happened to arrive.
 *
 * <p>Receivers start reading before the window is known, hence volatile; on x86 a volatile read
 * costs the same as a plain one.
 */
final class Window {

    private volatile long start = Long.MAX_VALUE;
    private volatile long end = Long.MIN_VALUE;

    void set(long startNanos, long endNanos) {
        end = endNanos;
        start = startNanos;
    }

    /** Overflow-safe comparison, as nanoTime values may have any sign. */
    boolean contains(long t) {
        return t - start >= 0 && t - end < 0;
    }

    long start() {
        return start;
    }

    long end() {
        return end;
    }
}
