package dev.parley.hub;

/**
 * Hands out a room's seqs. The seam where a shared broker takes over seq assignment when several
 * nodes serve one room; in one process it is a counter guarded by the room's lock.
 */
public interface Sequencer {

    /** The next seq, strictly greater than every earlier one. */
    long next();

    /** A counter starting at 0, for one process. Not thread-safe: the room's lock guards it. */
    static Sequencer local() {
        return new Sequencer() {
            private long head;

            @Override
            public long next() {
                return ++head;
            }
        };
    }
}
