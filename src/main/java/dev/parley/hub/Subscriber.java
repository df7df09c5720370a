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

    /** Ends the connection as a slow consumer. Called by the room outside its lock. */
    void evictSlow();
}
