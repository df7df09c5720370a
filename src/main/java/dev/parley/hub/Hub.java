package dev.parley.hub;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.parley.config.ParleyConfig;
import dev.parley.protocol.Encoder;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Frame;
import dev.parley.protocol.ProtocolError;

/**
 * The rooms of this server. Rooms are created on first join and dropped once they have been
 * empty for {@code parley.history.ttl}, which also ends their epoch.
 */
public final class Hub {
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final int historySize;
    private final int historyOnJoin;
    private final long ttlNanos;
    private final int roomsMax;
    private final Supplier<Sequencer> sequencers;
    /** parley.write-delay, per room (Room); 0 once a drain has begun. */
    private volatile long fanOutDelayNanos;

    public Hub(ParleyConfig config) {
        this(config, Sequencer::local);
    }

    public Hub(ParleyConfig config, Supplier<Sequencer> sequencers) {
        this.historySize = config.historySize();
        this.historyOnJoin = config.historyOnJoin();
        this.ttlNanos = config.historyTtl().toNanos();
        this.roomsMax = config.roomsMax();
        this.sequencers = sequencers;
        this.fanOutDelayNanos = config.writeDelay().toNanos();
    }

    /**
     * Joins {@code s} to a room under {@code name}; the room queues {@code joined} and the backlog
     * to it. With {@code since} and the room's {@code epoch}, the backlog is exactly what was missed.
     */
    public Room.Joined join(Subscriber s, String room, String name, String epoch, Long since) throws ProtocolError {
        while (true) {
            Room r = roomFor(room);
            Room.Joined joined = r.join(s, name, epoch, since, historyOnJoin);
            if (joined != null) {
                return joined;
            }
            rooms.remove(room, r); // dropped while we looked: take the fresh one
        }
    }

    /** Removes {@code s} from a room. False when it was not a member. */
    public boolean leave(Subscriber s, String room) {
        Room r = rooms.get(room);
        return r != null && r.leave(s, System.nanoTime());
    }

    /** Publishes to a room the caller has joined. */
    public Room.Published publish(String room, String from, String text, String id) {
        Room r = rooms.get(room);
        if (r == null) {
            throw new IllegalStateException("publish to unknown room " + room);
        }
        return r.publish(from, text, id, System.currentTimeMillis());
    }

    /** A {@code history} answer for a room the caller has joined. */
    public Frame history(String room, Long before, int limit) {
        Room r = rooms.get(room);
        if (r == null) {
            return Encoder.history(room, List.of(), false);
        }
        Room.Page page = r.page(before, limit);
        return Encoder.history(room, page.messages().stream().map(Message::frame).toList(), page.more());
    }

    public int roomCount() {
        return rooms.size();
    }

    public Room room(String name) {
        return rooms.get(name);
    }

    /**
     * A shutdown drain begins: every room sends what it holds back now and stops coalescing, so
     * the connections' last frames before 1001 carry every message.
     */
    public void flushNow() {
        fanOutDelayNanos = 0;
        rooms.values().forEach(Room::flushNow);
    }

    /** Drops rooms that have been empty for longer than the history TTL. Called by the watchdog. */
    public void sweep(long now) {
        rooms.values().removeIf(r -> r.closeIfIdle(now, ttlNanos));
    }

    private Room roomFor(String name) throws ProtocolError {
        Room r = rooms.get(name);
        if (r != null) {
            return r;
        }
        if (rooms.size() >= roomsMax && !dropLongestEmpty()) {
            throw new ProtocolError(ErrorCode.ROOM_LIMIT, null, name);
        }
        return rooms.computeIfAbsent(name, n -> new Room(n, historySize, sequencers.get(), fanOutDelayNanos, System.nanoTime()));
    }

    /**
     * At the room cap, an empty room's history is worth less than a new conversation: drop the
     * one empty for longest, ahead of its TTL.
     */
    private boolean dropLongestEmpty() {
        long now = System.nanoTime();
        Room victim = null;
        long longest = -1;
        for (Room r : rooms.values()) {
            long empty = r.emptyFor(now);
            if (empty > longest) {
                longest = empty;
                victim = r;
            }
        }
        if (victim != null && victim.closeIfIdle(now, 0)) {
            rooms.remove(victim.name(), victim);
            return true;
        }
        return false;
    }
}
