package dev.parley.broker;

/**
 * Local delivery, as a broker sees it: the one door through which every published message and
 * presence change enters this node's rooms, whether it was published here or arrived from
 * another node. Implemented by the hub.
 *
 * <p>A broker calls it for each room in seq order. The door never blocks; members it must cut
 * off (their outbox overflowed) are handed back in {@link Result#evictions()}, to be run once the
 * caller holds no lock.
 */
public interface Delivery {

    /** Hands a message of the room's log to the room's local members. */
    Result deliver(Message m);

    /** Hands a presence change (a name's first join or last leave, service-wide) to the room's local members. */
    Result presence(String room, boolean joined, String name, int count);

    /** Hands a typing notice to the room's local members. */
    Result typing(String room, String name);

    /**
     * The room's log began again (a new epoch) or lost messages this node never delivered: every
     * local member is handed the room afresh, as after a reconnect. Reads the log: call it with
     * no lock held.
     */
    void reset(String room);

    /** {@link #position}: the room here delivers another epoch, or has not delivered any yet. */
    long NO_POSITION = -1;
    /** {@link #position}: no member of the room is here. */
    long NO_ROOM = -2;

    /** The seq the room here delivered last in {@code epoch}, or {@link #NO_POSITION} or {@link #NO_ROOM}. */
    long position(String room, String epoch);

    /** What a delivery did. */
    record Result(Kind kind, long last, Runnable evictions) {
        static final Runnable NONE = () -> { };

        public static Result of(Kind kind, long last) {
            return new Result(kind, last, NONE);
        }
    }

    enum Kind {
        /** Queued to the local members. */
        DELIVERED,
        /** At or below what the room already delivered: dropped. */
        DUPLICATE,
        /** Seqs between {@link Result#last()} and this one are missing: fill them first. */
        GAP,
        /** The message's epoch is not the one this node delivers: reset the room. */
        EPOCH,
        /** No local member in that room: nothing to do. */
        NO_ROOM
    }
}
