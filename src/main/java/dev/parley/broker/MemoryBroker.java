package dev.parley.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.protocol.Encoder;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ProtocolError;

/**
 * The broker of one process: each room's log is a ring in memory ({@link History}), presence is
 * this node's own. Nothing here waits on I/O, so a publish hands its message to the door while it
 * still holds the log's lock: local delivery sees every room's messages in seq order without a
 * gap, exactly as they were appended. Members to evict are cut off after the lock is released.
 *
 * <p>A room's log lives while it has members and for {@code parley.history.ttl} after the last
 * one left (or the last publish); its epoch ends with it. At {@code parley.rooms.max} logs, the
 * one empty for longest is dropped early; if none is empty a new room is refused.
 */
public final class MemoryBroker implements Broker {
    private final ConcurrentHashMap<String, Log> logs = new ConcurrentHashMap<>();
    private final int historySize;
    private final long ttlNanos;
    private final int roomsMax;
    /** Set once by {@link #start}, before any other call. */
    private volatile Delivery delivery;

    public MemoryBroker(int historySize, long ttlNanos, int roomsMax) {
        this.historySize = historySize;
        this.ttlNanos = ttlNanos;
        this.roomsMax = roomsMax;
    }

    /** One room's log and presence, under one lock. */
    private static final class Log {
        final ReentrantLock lock = new ReentrantLock();
        final String epoch = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        /** Guarded by {@code lock}. */
        final History history;
        /** Distinct names present; guarded by {@code lock}. */
        final TreeSet<String> names = new TreeSet<>();
        /** System.nanoTime() of the last publish or last departure; guarded by {@code lock}. */
        long lastActive;
        /** Set once the log is dropped; guarded by {@code lock}. A caller that finds it set looks the room up again. */
        boolean dropped;

        Log(int size, long now) {
            this.history = new History(size);
            this.lastActive = now;
        }

        long idleFor(long now) {
            return names.isEmpty() ? now - lastActive : -1;
        }
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void start(Delivery delivery) {
        this.delivery = delivery;
    }

    @Override
    public Appended publish(String room, String from, String user, String text, String id, long ts) throws ProtocolError {
        Delivery.Result delivered;
        Appended appended;
        Log log = locked(room);
        try {
            if (id != null) {
                Message earlier = log.history.find(from, id);
                if (earlier != null) {
                    return new Appended(earlier.seq(), log.epoch, true);
                }
            }
            long seq = log.history.head() + 1;
            Message m = new Message(room, log.epoch, seq, from, id, Encoder.message(room, seq, from, user, text, ts, id));
            log.history.append(m);
            log.lastActive = System.nanoTime();
            delivered = delivery.deliver(m); // under the lock: local delivery in seq order
            appended = new Appended(seq, log.epoch, false);
        } finally {
            log.lock.unlock();
        }
        delivered.evictions().run();
        return appended;
    }

    @Override
    public Backlog backlog(String room, String epoch, Long since, int last) throws ProtocolError {
        Log log = locked(room);
        try {
            History h = log.history;
            boolean recovered = since != null && log.epoch.equals(epoch) && h.covers(since);
            List<Message> messages = recovered ? h.range(since + 1, h.head()) : h.last(last);
            return new Backlog(log.epoch, h.head(), recovered, messages, first(log.names, null), log.names.size());
        } finally {
            log.lock.unlock();
        }
    }

    @Override
    public List<Message> range(String room, long from, long to) {
        Log log = logs.get(room);
        if (log == null) {
            return List.of();
        }
        log.lock.lock();
        try {
            return log.history.range(from, to);
        } finally {
            log.lock.unlock();
        }
    }

    @Override
    public Members members(String room, String cursor) {
        Log log = logs.get(room);
        if (log == null) {
            return new Members(List.of(), null, 0);
        }
        log.lock.lock();
        try {
            List<String> names = first(log.names, cursor);
            boolean more = !names.isEmpty() && log.names.higher(names.getLast()) != null;
            return new Members(names, more ? names.getLast() : null, log.names.size());
        } finally {
            log.lock.unlock();
        }
    }

    /** Under the log's lock: up to MEMBERS_LISTED names after {@code after} (null: from the first), in order. */
    private static List<String> first(TreeSet<String> names, String after) {
        SortedSet<String> tail = after == null ? names : names.tailSet(after, false);
        List<String> out = new ArrayList<>(Math.min(tail.size(), MEMBERS_LISTED));
        for (String n : tail) {
            if (out.size() == MEMBERS_LISTED) {
                break;
            }
            out.add(n);
        }
        return out;
    }

    @Override
    public Page page(String room, Long before, int limit) {
        Log log = logs.get(room);
        if (log == null) {
            return new Page(List.of(), false);
        }
        log.lock.lock();
        try {
            History h = log.history;
            long to = before == null ? h.head() : before - 1;
            List<Message> found = h.range(to - limit + 1, to);
            long first = found.isEmpty() ? to + 1 : found.getFirst().seq();
            return new Page(found, first > h.oldest());
        } finally {
            log.lock.unlock();
        }
    }

    /** Every publish is delivered under the log's lock: there is no live stream to join. */
    @Override
    public void subscribe(String room) {
    }

    @Override
    public void unsubscribe(String room) {
    }

    @Override
    public void arrived(String room, String name) throws ProtocolError {
        Delivery.Result delivered;
        Log log = locked(room);
        try {
            if (!log.names.add(name)) {
                return;
            }
            delivered = delivery.presence(room, true, name, log.names.size());
        } finally {
            log.lock.unlock();
        }
        delivered.evictions().run();
    }

    @Override
    public void departed(String room, String name) {
        Log log = logs.get(room);
        if (log == null) {
            return;
        }
        Delivery.Result delivered;
        log.lock.lock();
        try {
            if (log.dropped || !log.names.remove(name)) {
                return;
            }
            log.lastActive = System.nanoTime();
            delivered = delivery.presence(room, false, name, log.names.size());
        } finally {
            log.lock.unlock();
        }
        delivered.evictions().run();
    }

    @Override
    public void typing(String room, String name) {
        delivery.typing(room, name).evictions().run();
    }

    @Override
    public boolean available() {
        return true;
    }

    /** Drops logs that have had no member and no publish for the history TTL. */
    @Override
    public void sweep(long now) {
        logs.values().removeIf(log -> dropIfIdle(log, now, ttlNanos));
    }

    @Override
    public int roomCount() {
        return logs.size();
    }

    @Override
    public void close() {
        logs.clear();
    }

    /** The room's log, made if it has none, locked and not dropped: the caller unlocks it. */
    private Log locked(String room) throws ProtocolError {
        while (true) {
            Log log = logFor(room);
            log.lock.lock();
            if (!log.dropped) {
                return log;
            }
            log.lock.unlock(); // dropped while we looked it up: take the fresh one
        }
    }

    private Log logFor(String room) throws ProtocolError {
        Log log = logs.get(room);
        if (log != null) {
            return log;
        }
        if (logs.size() >= roomsMax && !dropLongestIdle()) {
            throw new ProtocolError(ErrorCode.ROOM_LIMIT, null, room);
        }
        return logs.computeIfAbsent(room, r -> new Log(historySize, System.nanoTime()));
    }

    /**
     * At the room cap, an empty room's history is worth less than a new conversation: drop the
     * one idle for longest, ahead of its TTL.
     */
    private boolean dropLongestIdle() {
        long now = System.nanoTime();
        String victim = null;
        long longest = -1;
        for (var e : logs.entrySet()) {
            long idle = e.getValue().idleFor(now);
            if (idle > longest) {
                longest = idle;
                victim = e.getKey();
            }
        }
        if (victim == null) {
            return false;
        }
        Log log = logs.get(victim);
        if (log != null && dropIfIdle(log, now, 0)) {
            logs.remove(victim, log);
            return true;
        }
        return false;
    }

    private static boolean dropIfIdle(Log log, long now, long ttl) {
        log.lock.lock();
        try {
            long idle = log.idleFor(now);
            if (idle >= 0 && idle >= ttl) {
                log.dropped = true;
            }
            return log.dropped;
        } finally {
            log.lock.unlock();
        }
    }
}
