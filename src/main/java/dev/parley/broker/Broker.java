package dev.parley.broker;

import java.util.List;

import dev.parley.protocol.ProtocolError;

/**
 * Where the rooms' messages are ordered and kept, and who is in each room across the service:
 * in this process ({@link MemoryBroker}, the default) or in Redis, shared by every node
 * ({@code dev.parley.broker.redis.RedisBroker}). What is published — on this node or another —
 * reaches local delivery through one door, the {@link Delivery} given to {@link #start}.
 *
 * <p>Any method may wait on the network: callers hold no lock when they call one. A broker that
 * cannot reach its store throws {@link BrokerUnavailable}; nothing was done then. A room the
 * broker cannot hold (the room cap) is a {@link ProtocolError} for the client.
 */
public interface Broker extends AutoCloseable {

    /** {@code memory} or {@code redis}: what traces and logs call this broker. */
    String name();

    /** Connects the broker to local delivery; called once, before anything else. */
    void start(Delivery delivery);

    /**
     * Appends a message to the room's log and hands it to every node's local delivery; {@code user}
     * (a verified id, or null) travels with it so clients can tell two people of one name apart. A retried
     * {@code id} from the same {@code from} is answered with the original seq and not sent again.
     * Returns once the message is durable in the log: only then may the sender be acked.
     */
    Appended publish(String room, String from, String user, String text, String id, long ts)
            throws BrokerUnavailable, ProtocolError;

    /** A publish by a sender without a verified user id. */
    default Appended publish(String room, String from, String text, String id, long ts) throws BrokerUnavailable, ProtocolError {
        return publish(room, from, null, text, id, ts);
    }

    /**
     * What a joining member is handed: the room's position, its members, and the messages after
     * {@code since} when {@code epoch} is the room's and the log still holds them all (a resume),
     * else the newest {@code last}. Starts the room's epoch if it has none.
     */
    Backlog backlog(String room, String epoch, Long since, int last) throws BrokerUnavailable, ProtocolError;

    /** Messages with {@code from <= seq <= to} that the log still holds, ascending. */
    List<Message> range(String room, long from, long to) throws BrokerUnavailable;

    /** Up to {@code limit} messages with seq below {@code before} (or the newest), ascending. */
    Page page(String room, Long before, int limit) throws BrokerUnavailable;

    /**
     * Names a joining member is handed, and a {@link #members} page holds, at most: the rest of a
     * big room's names are paged on request, so a join costs the same in a room of 10 or 10,000.
     */
    int MEMBERS_LISTED = 100;

    /**
     * A page of the room's distinct names, at most {@link #MEMBERS_LISTED}, from {@code cursor}
     * (null: the start; else a previous page's {@code next}). Pages reflect the room as it is while
     * they are read: a name that comes or goes meanwhile may be missed or seen twice, which the
     * presence events that follow settle.
     */
    Members members(String room, String cursor) throws BrokerUnavailable;

    /**
     * This node has members in the room: from when this returns, every message published there
     * reaches the door. Counted: each call is matched by one {@link #unsubscribe}.
     */
    void subscribe(String room) throws BrokerUnavailable;

    /** Matches one {@link #subscribe}; the last one stops the room's live stream to this node. */
    void unsubscribe(String room);

    /**
     * {@code name} has its first connection in the room on this node. When the name is new in the
     * room (on every node), a presence event goes to every node's members through the door.
     */
    void arrived(String room, String name) throws BrokerUnavailable, ProtocolError;

    /** {@code name} has no connection left in the room on this node; the last one anywhere is announced. */
    void departed(String room, String name);

    /** Drops what outlived its time; called by the watchdog's tick. */
    default void sweep(long now) {
    }

    /**
     * Rooms this node holds for the gauge: every room with a history for the in-memory broker,
     * the rooms this node follows for a shared one.
     */
    int roomCount();

    /**
     * {@code name} is typing in the room: handed to every node's members through the door, never
     * stored. Best effort: lost while the store is unreachable.
     */
    void typing(String room, String name);

    /** False while the store cannot be reached (readiness reports it). */
    boolean available();

    /** Stops every thread and connection the broker owns. */
    @Override
    void close();

    /** What a publish did: {@code duplicate} means the id was accepted before and nothing was sent. */
    record Appended(long seq, String epoch, boolean duplicate) {
    }

    /** The room's position, its distinct member names (sorted), and the messages a joiner is handed. */
    /**
     * {@code members}: at most {@link #MEMBERS_LISTED} of the room's distinct names;
     * {@code memberCount}: how many there are (the rest are paged with {@link #members}).
     */
    record Backlog(String epoch, long head, boolean recovered, List<Message> messages, List<String> members,
                   int memberCount) {
        /** A backlog whose member list is complete. */
        public Backlog(String epoch, long head, boolean recovered, List<Message> messages, List<String> members) {
            this(epoch, head, recovered, messages, members, members.size());
        }
    }

    /** A page of a room's names; {@code next} continues it (null at the end); {@code count}: names in all. */
    record Members(List<String> names, String next, int count) {
    }

    /** A page of history; {@code more} when older messages are still held. */
    record Page(List<Message> messages, boolean more) {
    }
}
