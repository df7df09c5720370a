package dev.parley.hub;

/**
 * The most a room's pending batch may hold before it goes out without waiting for the rest of its
 * delay: half a member's outbox ({@code parley.outbox.*}). A member whose writer keeps up has at
 * most a few replies queued, so it can always take a whole batch; without this, a room that waits
 * longer under load ({@link Room}'s degrade) built batches bigger than an outbox and cut members
 * that were keeping up.
 */
record BatchLimit(int messages, long bytes) {
    /** No limit but the delay (tests of other behaviour). */
    static final BatchLimit NONE = new BatchLimit(Integer.MAX_VALUE, Long.MAX_VALUE);

    /** Half of an outbox bounded at {@code maxMessages} and {@code maxBytes}. */
    static BatchLimit halfOf(int maxMessages, long maxBytes) {
        return new BatchLimit(Math.max(1, maxMessages / 2), Math.max(1, maxBytes / 2));
    }

    boolean reached(int pendingMessages, long pendingBytes) {
        return pendingMessages >= messages || pendingBytes >= bytes;
    }
}
