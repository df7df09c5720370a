package dev.parley.hub;

import dev.parley.protocol.Frame;

/** What a room needs from a connection: a non-blocking way to hand it frames. */
public interface Subscriber {

    /**
     * Queues a frame without blocking. Returns false when the subscriber's outbox is full: the
     * room then evicts it as a slow consumer, after it has let go of its lock.
     */
    boolean offer(Frame frame);

    /**
     * Queues a frame past the outbox bound. Only for a join's {@code joined} and replay, which
     * are bounded by the history size and must not be lost half-way.
     */
    void offerAlways(Frame frame);

    /**
     * Queues a frame past the outbox's bound, up to a hard limit a few times the bound; false
     * beyond it. For a room whose members fall behind as a crowd (the machine is saturated, not
     * this client): they get bigger batches rather than a cut. By default there is no slack.
     */
    default boolean offerPastBound(Frame frame) {
        return false;
    }

    /** Ends the connection as a slow consumer. Called by the room outside its lock. */
    void evictSlow();
}
