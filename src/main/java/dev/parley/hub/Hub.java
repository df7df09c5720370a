package dev.parley.hub;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import dev.parley.broker.Broker;
import dev.parley.broker.BrokerUnavailable;
import dev.parley.broker.Delivery;
import dev.parley.broker.MemoryBroker;
import dev.parley.broker.Message;
import dev.parley.config.ParleyConfig;
import dev.parley.protocol.Encoder;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Frame;
import dev.parley.protocol.ProtocolError;

/**
 * This node's rooms, for local delivery, in front of the {@link Broker} that keeps the rooms'
 * logs. A room is here while it has members on this node. The hub is the broker's
 * {@link Delivery}: whatever is published — by a member here, or on another node — reaches the
 * members here through {@link #deliver}.
 */
public final class Hub implements Delivery {
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final Broker broker;
    private final int historyOnJoin;
    private final PresencePolicy presence;
    private final BatchLimit batchLimit;
    /** parley.write-delay, per room (Room); 0 once a drain has begun. */
    private volatile long fanOutDelayNanos;
    /** Set when a drain begins: publishes are refused from then on (the sender retries elsewhere). */
    private volatile boolean draining;

    /** A hub on a broker of its own in this process. */
    public Hub(ParleyConfig config) {
        this(config, new MemoryBroker(config.historySize(), config.historyTtl().toNanos(), config.roomsMax()));
    }

    public Hub(ParleyConfig config, Broker broker) {
        this.broker = broker;
        this.historyOnJoin = config.historyOnJoin();
        this.presence = new PresencePolicy(config.presenceEvents(), config.presenceBatchAbove());
        this.fanOutDelayNanos = config.writeDelay().toNanos();
        this.batchLimit = BatchLimit.halfOf(config.outboxMaxMessages(), config.outboxMaxBytes());
        broker.start(this);
    }

    public Broker broker() {
        return broker;
    }

    /**
     * Joins {@code s} to a room under {@code name}; the room queues {@code joined} and the backlog
     * to it. With {@code since} and the room's {@code epoch}, the backlog is exactly what was
     * missed. The hand-over: reserve a place (so the room's live stream reaches this node), read
     * the backlog from the log, then admit the member where the backlog ends.
     */
    public Room.Joined join(Subscriber s, String room, String name, String epoch, Long since) throws ProtocolError {
        Room r;
        Room.Reservation reservation;
        while (true) {
            r = rooms.computeIfAbsent(room, n -> new Room(n, fanOutDelayNanos, System.nanoTime(), presence, batchLimit));
            reservation = r.reserve(name);
            if (reservation != null) {
                break;
            }
            rooms.remove(room, r); // closed while we looked: take a fresh one
        }
        boolean subscribed = false;
        try {
            broker.subscribe(room);
            subscribed = true;
            if (reservation.firstName()) {
                broker.arrived(room, name);
            }
            while (true) {
                Broker.Backlog b = broker.backlog(room, epoch, since, historyOnJoin);
                Room.Joined joined = r.admit(s, name, reservation.presenceMark(), b);
                if (joined != null) {
                    return joined;
                }
                if (r.position(b.epoch()) == NO_POSITION) {
                    r.rebase(broker.backlog(room, null, null, historyOnJoin)); // the log began again under us
                }
            }
        } catch (BrokerUnavailable e) {
            undo(r, name, subscribed, reservation.firstName());
            throw new ProtocolError(ErrorCode.UNAVAILABLE, null, room);
        } catch (ProtocolError | RuntimeException e) {
            undo(r, name, subscribed, reservation.firstName());
            throw e;
        }
    }

    private void undo(Room r, String name, boolean subscribed, boolean announced) {
        Room.Departure d = r.cancel(name);
        if (d.lastName() && announced) {
            broker.departed(r.name(), name);
        }
        if (subscribed) {
            broker.unsubscribe(r.name());
        }
        if (d.closed()) {
            rooms.remove(r.name(), r);
        }
    }

    /** Removes {@code s} from a room. False when it was not a member. */
    public boolean leave(Subscriber s, String room) {
        Room r = rooms.get(room);
        if (r == null) {
            return false;
        }
        Room.Departure d = r.leave(s);
        if (d == null) {
            return false;
        }
        if (d.closed()) {
            rooms.remove(room, r);
        }
        if (d.lastName()) {
            broker.departed(room, d.name());
        }
        broker.unsubscribe(room);
        return true;
    }

    /**
     * Publishes to a room. Refused with {@code unavailable} while the broker cannot be reached and
     * once a drain has begun: the client retries with the same id, which makes it safe.
     */
    public Room.Published publish(String room, String from, String text, String id) throws ProtocolError {
        return publish(room, from, null, text, id);
    }

    /** A publish by a sender whose {@code user} id was verified (signed identities). */
    public Room.Published publish(String room, String from, String user, String text, String id) throws ProtocolError {
        if (draining) {
            throw new ProtocolError(ErrorCode.UNAVAILABLE, "The server is shutting down; send again after reconnecting.", id, room);
        }
        Broker.Appended a;
        long start = System.nanoTime();
        try {
            a = broker.publish(room, from, user, text, id, System.currentTimeMillis());
        } catch (BrokerUnavailable e) {
            throw new ProtocolError(ErrorCode.UNAVAILABLE, id, room);
        }
        long nanos = System.nanoTime() - start;
        Room r = rooms.get(room);
        return new Room.Published(a.seq(), a.epoch(), a.duplicate() || r == null ? 0 : r.size(), a.duplicate(), nanos);
    }

    /** A {@code history} answer. */
    public Frame history(String room, Long before, int limit) throws ProtocolError {
        Broker.Page page;
        try {
            page = broker.page(room, before, limit);
        } catch (BrokerUnavailable e) {
            throw new ProtocolError(ErrorCode.UNAVAILABLE, null, room);
        }
        return Encoder.history(room, page.messages().stream().map(Message::frame).toList(), page.more());
    }

    /** A {@code members} answer: a page of the room's names. */
    public Frame members(String room, String cursor) throws ProtocolError {
        Broker.Members page;
        try {
            page = broker.members(room, cursor);
        } catch (BrokerUnavailable e) {
            throw new ProtocolError(ErrorCode.UNAVAILABLE, null, room);
        }
        return Encoder.members(room, page.names(), page.next(), page.count());
    }

    // ---- the door ------------------------------------------------------------------------------

    @Override
    public Result deliver(Message m) {
        Room r = rooms.get(m.room());
        return r == null ? Result.of(Kind.NO_ROOM, 0) : r.deliver(m);
    }

    @Override
    public Result presence(String room, boolean joined, String name, int count) {
        Room r = rooms.get(room);
        return r == null ? Result.of(Kind.NO_ROOM, 0) : r.presence(joined, name, count);
    }

    @Override
    public Result typing(String room, String name) {
        Room r = rooms.get(room);
        return r == null ? Result.of(Kind.NO_ROOM, 0) : r.typing(name);
    }

    /** {@code name} is typing in a room it is in: every member hears it (clients ignore their own name). */
    public void typed(String room, String name) {
        broker.typing(room, name);
    }

    @Override
    public void reset(String room) {
        Room r = rooms.get(room);
        try {
            while (r != null && !r.rebase(broker.backlog(room, null, null, historyOnJoin))) {
                r = rooms.get(room);
            }
        } catch (BrokerUnavailable | ProtocolError e) {
            // The broker's own recovery calls again once it can read the log.
            throw new IllegalStateException("room " + room + " could not be reset: " + e.getMessage(), e);
        }
    }

    @Override
    public long position(String room, String epoch) {
        Room r = rooms.get(room);
        return r == null ? NO_ROOM : r.position(epoch);
    }

    /** Rooms with members on this node. */
    public List<String> roomNames() {
        return List.copyOf(rooms.keySet());
    }

    /** Rooms for the gauge ({@link Broker#roomCount()}). */
    public int roomCount() {
        return broker.roomCount();
    }

    public Room room(String name) {
        return rooms.get(name);
    }

    /**
     * A shutdown drain begins: publishes are refused from now on, and every room sends what it
     * holds back now and stops coalescing, so the connections' last frames before 1001 carry
     * every message that was acked.
     */
    public void flushNow() {
        draining = true;
        fanOutDelayNanos = 0;
        rooms.values().forEach(Room::flushNow);
    }

    /** Drops what the broker keeps past its time. Called by the watchdog. */
    public void sweep(long now) {
        broker.sweep(now);
    }
}
