package dev.parley.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.protocol.Encoder;
import dev.parley.protocol.Frame;

/**
 * One chat room: an immutable snapshot of its members, its history ring and its seq.
 *
 * <p>Membership is a copy-on-write array: join and leave swap in a new array, and everything
 * that only reads membership (fan-out, member counts, gauges) reads the current array without a
 * lock. The room's lock orders what must be ordered: seq assignment, the history append and the
 * hand-off to each outbox happen together, so every member's queue holds messages in seq order
 * and a joining member's replay meets live traffic with no gap and no duplicate. Nothing under
 * the lock blocks: an outbox offer never waits, and evictions run after the lock is released.
 *
 * <p>Fan-out is coalesced per room ({@code parley.write-delay}): a message or presence change in
 * a room that sent nothing for that long goes out at once; one that follows closely waits, with
 * whatever else arrives, until the delay since the last fan-out has passed, and then all of them
 * go to every member as one frame, encoded once. So a busy room hands each member at most one
 * frame per delay however fast it talks or however many join at once, and each member's writer
 * makes one write for it — the cost of a delivery is per write, not per message
 * (bench/README.md, "Fan-out coalescing"). A member receives exactly what was queued while it
 * was one: a joiner skips what was pending when it joined (its {@code joined} and replay already
 * cover it), a leaver is handed what was pending when it left.
 *
 * <p>Measured (bench/README.md, JMH): broadcasting over the array is 1.6–2.9× faster than a
 * read-write-locked map and 1.8–15× faster than a ConcurrentHashMap at 10 and 1,000 members
 * (RoomBroadcastBenchmark); holding the lock during fan-out costs the iteration nothing
 * (1.0–1.3×), and what it does cost is waking writers, not the array (FanOutLockBenchmark).
 */
public final class Room {
    private static final Member[] NONE = new Member[0];

    private final String name;
    private final String epoch;
    private final History history;
    private final Sequencer sequencer;
    private final ReentrantLock lock = new ReentrantLock();
    /** Current members; replaced, never mutated. Written under {@code lock}, read anywhere. */
    private volatile Member[] members = NONE;
    /**
     * Connections per display name, kept sorted because every join lists them; guarded by
     * {@code lock}. Sorting a copy per join held the lock ~2 ms at 10,000 members
     * (JoinLeaveBenchmark, bench/README.md).
     */
    private final TreeMap<String, Integer> names = new TreeMap<>();
    /** System.nanoTime() when the last member left; meaningful only while {@code members} is empty. */
    private volatile long emptySince;
    /** Set once the hub has dropped the room; a join that finds it set must look the room up again. */
    private boolean closed;
    /** How long a fan-out waits for company (0: never); 0 once the server drains. */
    private volatile long delayNanos;
    /** Frames queued but not yet fanned out, in order; guarded by {@code lock}. */
    private final List<Frame> pending = new ArrayList<>();
    /**
     * Members that joined while frames were pending, with how many of them to skip; guarded by
     * {@code lock}, emptied by every flush.
     */
    private final IdentityHashMap<Subscriber, Integer> joinedSinceFlush = new IdentityHashMap<>(4);
    /** System.nanoTime() of the last fan-out of queued frames; guarded by {@code lock}. */
    private long lastFanOut;
    /** A flush of {@code pending} is scheduled; guarded by {@code lock}. */
    private boolean flushScheduled;

    record Member(Subscriber subscriber, String name) {
    }

    /** What a join did, for the caller's bookkeeping and telemetry. */
    public record Joined(long head, boolean recovered, int replayed) {
    }

    /** What a publish did. {@code duplicate} means the id was accepted before and nothing was sent. */
    public record Published(long seq, int fanout, boolean duplicate) {
    }

    Room(String name, int historySize, Sequencer sequencer, long delayNanos, long now) {
        this.name = name;
        this.delayNanos = delayNanos;
        this.lastFanOut = now - delayNanos;
        this.history = new History(historySize);
        this.sequencer = sequencer;
        this.epoch = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        this.emptySince = now;
    }

    public String name() {
        return name;
    }

    public String epoch() {
        return epoch;
    }

    /** Current number of member connections (not distinct names). */
    public int size() {
        return members.length;
    }

    /**
     * Adds a member, queues {@code joined} and the backlog (or the replay after {@code since}) to
     * it, and announces the name to the others if it is new here. Returns null if the room was
     * dropped meanwhile.
     */
    Joined join(Subscriber s, String memberName, String clientEpoch, Long since, int onJoin) {
        List<Subscriber> slow = null;
        Joined joined;
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            if (names.merge(memberName, 1, Integer::sum) == 1) {
                slow = enqueue(Encoder.presence(name, true, memberName, names.size()), System.nanoTime());
            }
            // Added after its own presence: the joiner gets none of what is queued now.
            members = with(members, new Member(s, memberName));
            if (!pending.isEmpty()) {
                joinedSinceFlush.put(s, pending.size());
            }
            boolean recovered = since != null && epoch.equals(clientEpoch) && history.covers(since);
            List<Message> backlog = recovered ? history.range(since + 1, history.head()) : history.last(onJoin);
            s.offerAlways(Encoder.joined(name, history.head(), epoch, recovered, names.keySet()));
            for (Message m : backlog) {
                s.offerAlways(m.frame());
            }
            joined = new Joined(history.head(), recovered, backlog.size());
        } finally {
            lock.unlock();
        }
        evict(slow);
        return joined;
    }

    /** Removes every membership of {@code s}; announces names that are gone. False if it was not a member. */
    boolean leave(Subscriber s, long now) {
        List<Subscriber> slow;
        lock.lock();
        try {
            Member[] current = members;
            List<Member> kept = new ArrayList<>(current.length);
            Member gone = null;
            for (Member m : current) {
                if (m.subscriber() == s) {
                    gone = m;
                } else {
                    kept.add(m);
                }
            }
            if (gone == null) {
                return false;
            }
            members = kept.toArray(NONE);
            if (members.length == 0) {
                emptySince = now;
            }
            Integer skip = joinedSinceFlush.remove(s);
            int from = skip == null ? 0 : skip;
            if (from < pending.size()) {
                s.offerAlways(Frame.join(pending, from, pending.size())); // queued while it was a member
            }
            slow = null;
            if (names.merge(gone.name(), -1, Integer::sum) == 0) {
                names.remove(gone.name());
                slow = enqueue(Encoder.presence(name, false, gone.name(), names.size()), now);
            }
        } finally {
            lock.unlock();
        }
        evict(slow);
        return true;
    }

    /**
     * Assigns the next seq, records the message and queues it to every member, sender included —
     * at once, or with the next batch (class comment). A retried id from the same name is
     * answered with the original seq and not sent again.
     */
    Published publish(String from, String text, String id, long ts) {
        List<Subscriber> slow;
        Published result;
        lock.lock();
        try {
            if (id != null) {
                Message earlier = history.find(from, id);
                if (earlier != null) {
                    return new Published(earlier.seq(), 0, true);
                }
            }
            long seq = sequencer.next();
            Message m = new Message(name, seq, from, text, ts, id, Encoder.message(name, seq, from, text, ts, id));
            history.append(m);
            result = new Published(seq, members.length, false);
            slow = enqueue(m.frame(), System.nanoTime());
        } finally {
            lock.unlock();
        }
        evict(slow);
        return result;
    }

    /** Sends what is pending now, and from now on every message at once (a shutdown drain). */
    void flushNow() {
        delayNanos = 0;
        List<Subscriber> slow;
        lock.lock();
        try {
            slow = flushPending(System.nanoTime());
        } finally {
            lock.unlock();
        }
        evict(slow);
    }

    private void flushAfter(long waitNanos) {
        try {
            Thread.sleep(Duration.ofNanos(waitNanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // nobody interrupts it; flush regardless
        }
        List<Subscriber> slow;
        lock.lock();
        try {
            flushScheduled = false;
            slow = flushPending(System.nanoTime());
        } finally {
            lock.unlock();
        }
        evict(slow);
    }

    /**
     * Under the lock: sends {@code f} to every member now if the room has been quiet for the
     * delay, else adds it to the pending batch and makes sure a flush is scheduled. Returns the
     * members whose outbox overflowed.
     */
    private List<Subscriber> enqueue(Frame f, long now) {
        long delay = delayNanos;
        if (pending.isEmpty() && now - lastFanOut >= delay) {
            lastFanOut = now; // a quiet room: no reason to wait
            return fanOut(f);
        }
        pending.add(f);
        if (!flushScheduled) {
            flushScheduled = true;
            long wait = Math.max(0, lastFanOut + delay - now);
            // The flush's own short-lived thread: it ends after one fan-out.
            Thread.ofVirtual().inheritInheritableThreadLocals(false).start(() -> flushAfter(wait));
        }
        return null;
    }

    /**
     * Under the lock: queues the pending frames to every member as few frames as
     * {@link Frame#MAX_BATCH_BYTES} allows, encoded once for all (a member that joined meanwhile
     * gets its own tail). Returns the members whose outbox overflowed.
     */
    private List<Subscriber> flushPending(long now) {
        if (pending.isEmpty()) {
            return null;
        }
        lastFanOut = now;
        List<Subscriber> slow = null;
        int from = 0;
        int size = 0;
        for (int i = 0; i < pending.size(); i++) {
            int next = pending.get(i).bytes() + (i > from ? 1 : 0);
            if (i > from && size + next > Frame.MAX_BATCH_BYTES) {
                slow = concat(slow, fanOut(from, i));
                from = i;
                next = pending.get(i).bytes();
                size = 0;
            }
            size += next;
        }
        slow = concat(slow, fanOut(from, pending.size()));
        pending.clear();
        joinedSinceFlush.clear();
        return slow;
    }

    /** Pending frames {@code from}..{@code to} (exclusive) as one frame to every member, each from where it joined. */
    private List<Subscriber> fanOut(int from, int to) {
        if (joinedSinceFlush.isEmpty()) {
            return fanOut(Frame.join(pending, from, to));
        }
        Frame all = Frame.join(pending, from, to);
        List<Subscriber> slow = null;
        for (Member m : members) {
            Integer skip = joinedSinceFlush.get(m.subscriber());
            int start = skip == null ? from : Math.max(from, skip);
            if (start < to && !m.subscriber().offer(start == from ? all : Frame.join(pending, start, to))) {
                slow = add(slow, m.subscriber());
            }
        }
        return slow;
    }

    /** Up to {@code limit} messages with seq below {@code before} (or the newest), ascending. */
    Page page(Long before, int limit) {
        lock.lock();
        try {
            long to = before == null ? history.head() : before - 1;
            List<Message> found = history.range(to - limit + 1, to);
            long first = found.isEmpty() ? to + 1 : found.getFirst().seq();
            return new Page(found, first > history.oldest());
        } finally {
            lock.unlock();
        }
    }

    record Page(List<Message> messages, boolean more) {
    }

    /** Distinct member names, sorted. */
    public List<String> memberNames() {
        lock.lock();
        try {
            return List.copyOf(names.keySet());
        } finally {
            lock.unlock();
        }
    }

    /** Marks the room dropped if it has been empty for at least {@code ttlNanos}. */
    boolean closeIfIdle(long now, long ttlNanos) {
        if (members.length != 0 || now - emptySince < ttlNanos) {
            return false;
        }
        lock.lock();
        try {
            if (members.length == 0 && now - emptySince >= ttlNanos) {
                closed = true;
            }
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** How long the room has been empty, or -1 when it has members. */
    long emptyFor(long now) {
        return members.length == 0 ? now - emptySince : -1;
    }

    /** Queues a frame to every member; returns those whose outbox overflowed. */
    private List<Subscriber> fanOut(Frame frame) {
        List<Subscriber> slow = null;
        for (Member m : members) {
            if (!m.subscriber().offer(frame)) {
                slow = add(slow, m.subscriber());
            }
        }
        return slow;
    }

    private static List<Subscriber> add(List<Subscriber> slow, Subscriber s) {
        if (slow == null) {
            slow = new ArrayList<>(2);
        }
        slow.add(s);
        return slow;
    }

    private static List<Subscriber> concat(List<Subscriber> a, List<Subscriber> b) {
        if (a == null) {
            return b;
        }
        if (b != null) {
            a.addAll(b);
        }
        return a;
    }

    private static void evict(List<Subscriber> slow) {
        if (slow != null) {
            slow.forEach(Subscriber::evictSlow);
        }
    }

    private static Member[] with(Member[] current, Member added) {
        Member[] next = java.util.Arrays.copyOf(current, current.length + 1);
        next[current.length] = added;
        return next;
    }
}
