package dev.parley.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last {@code capacity} messages of a room, in a ring indexed by seq, and the index of
 * client ids that makes retried sends idempotent. Seqs are consecutive within an epoch, so a
 * seq maps to a slot by arithmetic. Not thread-safe: the room's lock guards it.
 */
final class History {
    private final Message[] ring;
    /** (from, id) of every message in the ring that has an id → that message. */
    private final Map<String, Message> byId = new HashMap<>();
    private long head;

    History(int capacity) {
        this.ring = new Message[capacity];
    }

    /** Appends the message with seq {@code head()+1}. */
    void append(Message m) {
        if (m.seq() != head + 1) {
            throw new IllegalArgumentException("seq " + m.seq() + " does not follow head " + head);
        }
        int slot = slot(m.seq());
        Message evicted = ring[slot];
        if (evicted != null && evicted.id() != null) {
            byId.remove(key(evicted.from(), evicted.id()), evicted); // unless a newer message took the id over
        }
        ring[slot] = m;
        if (m.id() != null) {
            byId.put(key(m.from(), m.id()), m);
        }
        head = m.seq();
    }

    long head() {
        return head;
    }

    /** The oldest seq still held, or {@code head()+1} when empty. */
    long oldest() {
        return Math.max(1, head - ring.length + 1);
    }

    /** True when every message after {@code since} is still held. */
    boolean covers(long since) {
        return since <= head && since + 1 >= oldest();
    }

    /** Messages with {@code from <= seq <= to}, clipped to what is held, ascending. */
    List<Message> range(long from, long to) {
        long lo = Math.max(from, oldest());
        long hi = Math.min(to, head);
        List<Message> out = new ArrayList<>((int) Math.max(0, hi - lo + 1));
        for (long s = lo; s <= hi; s++) {
            out.add(ring[slot(s)]);
        }
        return out;
    }

    /** The newest {@code n} messages, ascending. */
    List<Message> last(int n) {
        return range(head - n + 1, head);
    }

    /** The message a (from, id) pair was accepted as, if it is still in the ring. */
    Message find(String from, String id) {
        return byId.get(key(from, id));
    }

    private int slot(long seq) {
        return (int) Math.floorMod(seq, (long) ring.length);
    }

    private static String key(String from, String id) {
        return from + '\u0000' + id;
    }
}
