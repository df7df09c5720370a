package dev.parley.hub;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

import dev.parley.broker.Broker;
import dev.parley.broker.Delivery;
import dev.parley.broker.Message;
import dev.parley.protocol.Encoder;
import dev.parley.protocol.Frame;

/**
 * One room's local delivery: an immutable snapshot of this node's members, and the hand-off of
 * the room's messages and presence changes to their outboxes. The room's log — seqs, epoch,
 * history, idempotency — belongs to the {@link Broker}; everything published enters here by one
 * door, {@link #deliver}, whether it was published on this node or on another.
 *
 * <p>Membership is a copy-on-write array: join and leave swap in a new array, and everything
 * that only reads membership (fan-out, member counts, gauges) reads the current array without a
 * lock. The room's lock orders what must be ordered: messages reach every member's outbox in seq
 * order, and a joiner's backlog meets live traffic with no gap and no duplicate. Nothing under
 * the lock blocks or waits on the network: an outbox offer never waits, the log is read before
 * the lock is taken, and evictions run after it is released.
 *
 * <p>The room remembers the last seq it delivered ({@code last}) in the log's {@code epoch}.
 * A message at or below it is a duplicate and dropped; one above {@code last + 1} is a gap the
 * caller fills from the log first. A join reads its backlog from the log without the lock, then
 * {@link #admit}s the member under it: a backlog older than what the room already delivered is
 * read again; a backlog newer than it (the log is ahead of the live stream) makes the member skip
 * those seqs when they arrive.
 *
 * <p>Fan-out is coalesced per room ({@code parley.write-delay}): a message or presence change in
 * a room that sent nothing for that long goes out at once; one that follows closely waits, with
 * whatever else arrives, until the delay since the last fan-out has passed, and then all of them
 * go to every member as one frame, encoded once. So a busy room hands each member at most one
 * frame per delay however fast it talks or however many join at once, and each member's writer
 * makes one write for it — the cost of a delivery is per write, not per message
 * (bench/README.md, "Fan-out coalescing"). A member receives exactly what was queued while it
 * was one: a joiner skips what was pending when it joined (its {@code joined} and backlog already
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
    private final ReentrantLock lock = new ReentrantLock();
    /** Current members; replaced, never mutated. Written under {@code lock}, read anywhere. */
    private volatile Member[] members = NONE;
    /**
     * Connections per display name on this node, joining ones included; guarded by {@code lock}.
     * A name's first connection here is announced to the broker, its last one withdrawn.
     */
    private final TreeMap<String, Integer> names = new TreeMap<>();
    /** Members plus joins under way; guarded by {@code lock}. At 0 the room is closed. */
    private int holders;
    /** Set once the room has no holder left; a join that finds it set must look the room up again. Guarded by {@code lock}. */
    private boolean closed;
    /** The log's epoch this room delivers, null until it has seen one; guarded by {@code lock}. */
    private String epoch;
    /** Seq of the last message queued to the members in {@code epoch}; guarded by {@code lock}. */
    private long last;
    /**
     * How long a fan-out waits for company (0: never); 0 once the server drains. Starts at
     * {@code parley.write-delay} and rises, up to {@link #MAX_DELAY_NANOS}, while the members
     * fall behind as a crowd ({@link #settle}); written under {@code lock} (and by a drain).
     */
    private volatile long delayNanos;
    /** {@code parley.write-delay}: where {@code delayNanos} returns to once members keep up. */
    private final long baseDelayNanos;
    /** Set by a drain: the delay stays 0. Guarded by {@code lock}. */
    private boolean draining;
    /** System.nanoTime() when the delay last changed; guarded by {@code lock}. */
    private long delayChanged;
    /** Frames queued but not yet fanned out, in order; guarded by {@code lock}. */
    private final List<Frame> pending = new ArrayList<>();
    /** Server objects and bytes in {@code pending}; guarded by {@code lock}. */
    private int pendingMessages;
    private long pendingBytes;
    /** A pending batch this big goes out at once, whatever the delay. */
    private final BatchLimit batchLimit;
    /** The seq of each pending frame (0 for presence); guarded by {@code lock}. */
    private long[] pendingSeqs = new long[8];
    /**
     * Members that joined while frames were pending, with how many of them to skip; guarded by
     * {@code lock}, emptied by every flush.
     */
    private final IdentityHashMap<Subscriber, Integer> joinedSinceFlush = new IdentityHashMap<>(4);
    /**
     * Members whose backlog ran ahead of what the room had delivered, with the seq up to which
     * they already have everything; guarded by {@code lock}. Rare: only when the log is read
     * before the live stream has caught up (a remote broker).
     */
    private final IdentityHashMap<Subscriber, Long> ahead = new IdentityHashMap<>(2);
    /** How many presence changes this room has been handed; guarded by {@code lock}. */
    private long presenceChanges;
    /**
     * The presence changes handed to the room while a join is under way (between its
     * {@link #reserve} and its {@link #admit}), numbered by {@code presenceChanges}; guarded by
     * {@code lock}, emptied once no join is under way. The member list a joiner reads may or may
     * not include them, so {@link #admit} hands it the ones its list does not reflect.
     */
    private final ArrayDeque<PresenceChange> duringJoins = new ArrayDeque<>();
    /** Presence events on or off, and the room size from which they are batched. */
    private final PresencePolicy presencePolicy;
    /**
     * A big room's presence changes since its last presence batch, name → joined (a join and a
     * leave of one name cancel out), in order; guarded by {@code lock}.
     */
    private final LinkedHashMap<String, Boolean> presenceBatch = new LinkedHashMap<>();
    /** The room's size as of the last batched change; guarded by {@code lock}. */
    private int presenceBatchCount;
    /** A presence batch is scheduled; guarded by {@code lock}. */
    private boolean presenceBatchScheduled;
    /** System.nanoTime() of the last fan-out of queued frames; guarded by {@code lock}. */
    private long lastFanOut;
    /** A flush of {@code pending} is scheduled; guarded by {@code lock}. */
    private boolean flushScheduled;

    record Member(Subscriber subscriber, String name) {
    }

    private record PresenceChange(long no, boolean joined, String name, Frame frame) {
    }

    /** What a join did, for the caller's bookkeeping and telemetry. */
    public record Joined(long head, boolean recovered, int replayed) {
    }

    /**
     * What a publish did. {@code duplicate} means the id was accepted before and nothing was sent;
     * {@code brokerNanos} is the time the broker took (with Redis, the round trip).
     */
    public record Published(long seq, String epoch, int fanout, boolean duplicate, long brokerNanos) {
    }

    /**
     * A join's place in the room before it is admitted. {@code firstName}: the name is new on this
     * node; {@code presenceMark}: the presence changes the room had been handed when it was taken.
     */
    record Reservation(boolean firstName, long presenceMark) {
    }

    /** What a leave or a cancelled join changed. {@code lastName}: the name has no connection left here. */
    record Departure(String name, boolean lastName, boolean closed) {
    }

    Room(String name, long delayNanos, long now) {
        this(name, delayNanos, now, PresencePolicy.EVERY_EVENT, BatchLimit.NONE);
    }

    Room(String name, long delayNanos, long now, PresencePolicy presencePolicy, BatchLimit batchLimit) {
        this.presencePolicy = presencePolicy;
        this.batchLimit = batchLimit;
        this.name = name;
        this.delayNanos = delayNanos;
        this.baseDelayNanos = delayNanos;
        this.delayChanged = now;
        this.lastFanOut = now - delayNanos;
    }

    public String name() {
        return name;
    }

    /** Current number of member connections (not distinct names). */
    public int size() {
        return members.length;
    }

    /** Distinct names of this node's members (joins under way included), sorted. */
    public List<String> memberNames() {
        lock.lock();
        try {
            return List.copyOf(names.keySet());
        } finally {
            lock.unlock();
        }
    }

    /** Holds a place for {@code s} under {@code memberName}. Null if the room was closed meanwhile. */
    Reservation reserve(String memberName) {
        lock.lock();
        try {
            if (closed) {
                return null;
            }
            holders++;
            return new Reservation(names.merge(memberName, 1, Integer::sum) == 1, presenceChanges);
        } finally {
            lock.unlock();
        }
    }

    /** Gives back a place reserved by a join that failed. */
    Departure cancel(String memberName) {
        lock.lock();
        try {
            return release(memberName);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes a reserved {@code s} a member: queues {@code joined} and the backlog to it, and from
     * then on the live messages after the backlog. Null when the backlog is older than what the
     * room has already delivered: read it again.
     */
    Joined admit(Subscriber s, String memberName, long presenceMark, Broker.Backlog b) {
        lock.lock();
        try {
            if (!b.epoch().equals(epoch)) {
                if (members.length > 0 && epoch != null) {
                    return null; // the log began again under members that have not been told: the reset does that first
                }
                epoch = b.epoch();
                last = b.head();
            }
            if (b.head() < last) {
                return null;
            }
            members = with(members, new Member(s, memberName));
            if (!pending.isEmpty()) {
                joinedSinceFlush.put(s, pending.size());
            }
            if (b.head() > last) {
                ahead.put(s, b.head());
            }
            s.offerAlways(Encoder.joined(name, b.head(), b.epoch(), b.recovered(), b.members(), b.memberCount()));
            for (Message m : b.messages()) {
                s.offerAlways(m.frame());
            }
            presenceSince(s, memberName, presenceMark, b.members());
            forgetChangesOnceNoJoinIsUnderWay();
            return new Joined(b.head(), b.recovered(), b.messages().size());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: hands a joiner the presence changes since its reservation that the member
     * list it read does not already reflect, so that list plus what follows is the room's
     * membership whether each change happened before or after the list was read.
     */
    private void presenceSince(Subscriber s, String memberName, long mark, Collection<String> listed) {
        if (duringJoins.isEmpty() || duringJoins.peekLast().no() <= mark) {
            return;
        }
        Set<String> known = new HashSet<>(listed);
        for (PresenceChange c : duringJoins) {
            if (c.no() > mark && !c.name().equals(memberName)
                    && (c.joined() ? known.add(c.name()) : known.remove(c.name()))) {
                s.offerAlways(c.frame());
            }
        }
    }

    /** Under the lock: once every join under way has been admitted or cancelled. */
    private void forgetChangesOnceNoJoinIsUnderWay() {
        if (holders == members.length) {
            duringJoins.clear();
        }
    }

    /** Removes {@code s}, handing it what was queued while it was a member. Null if it was not one. */
    Departure leave(Subscriber s) {
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
                return null;
            }
            members = kept.toArray(NONE);
            ahead.remove(s);
            Integer skip = joinedSinceFlush.remove(s);
            int from = skip == null ? 0 : skip;
            if (from < pending.size()) {
                s.offerAlways(Frame.join(pending, from, pending.size())); // queued while it was a member
            }
            return release(gone.name());
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: one holder of {@code memberName} fewer. */
    private Departure release(String memberName) {
        boolean lastName = names.merge(memberName, -1, Integer::sum) == 0;
        if (lastName) {
            names.remove(memberName);
        }
        if (--holders == 0) {
            closed = true;
        }
        forgetChangesOnceNoJoinIsUnderWay();
        return new Departure(memberName, lastName, closed);
    }

    /**
     * The door: queues a message of the log to every member — at once, or with the next batch
     * (class comment) — if it is the next one this room delivers.
     */
    Delivery.Result deliver(Message m) {
        List<Subscriber> slow;
        lock.lock();
        try {
            if (closed) {
                return Delivery.Result.of(Delivery.Kind.NO_ROOM, 0);
            }
            if (epoch == null) {
                epoch = m.epoch(); // nobody admitted yet: the room's position starts here
                last = m.seq() - 1;
            } else if (!epoch.equals(m.epoch())) {
                return Delivery.Result.of(Delivery.Kind.EPOCH, last);
            }
            if (m.seq() <= last) {
                return Delivery.Result.of(Delivery.Kind.DUPLICATE, last);
            }
            if (m.seq() > last + 1) {
                return Delivery.Result.of(Delivery.Kind.GAP, last);
            }
            last = m.seq();
            slow = members.length == 0 ? null : enqueue(m.frame(), m.seq(), System.nanoTime());
            if (!ahead.isEmpty() && pending.isEmpty()) {
                ahead.values().removeIf(through -> through <= last); // went out at once; a pending one keeps its skip until the flush
            }
        } finally {
            lock.unlock();
        }
        return new Delivery.Result(Delivery.Kind.DELIVERED, m.seq(), evictions(slow));
    }

    /** The door for presence changes: queued like a message, without a seq. */
    Delivery.Result presence(boolean joined, String memberName, int count) {
        List<Subscriber> slow;
        lock.lock();
        try {
            if (closed) {
                return Delivery.Result.of(Delivery.Kind.NO_ROOM, 0);
            }
            if (!presencePolicy.events()) {
                return new Delivery.Result(Delivery.Kind.DELIVERED, 0, evictions(null)); // counts and pages only
            }
            if (count > presencePolicy.batchAbove() || presenceBatchScheduled) {
                batch(joined, memberName, count); // a pending batch takes every change until it goes, so none overtakes it
                return new Delivery.Result(Delivery.Kind.DELIVERED, 0, evictions(null));
            }
            Frame f = Encoder.presence(name, joined, memberName, count);
            presenceChanges++;
            if (holders > members.length) {
                duringJoins.addLast(new PresenceChange(presenceChanges, joined, memberName, f));
            }
            if (members.length == 0) {
                return Delivery.Result.of(Delivery.Kind.NO_ROOM, 0);
            }
            slow = enqueue(f, 0, System.nanoTime());
        } finally {
            lock.unlock();
        }
        return new Delivery.Result(Delivery.Kind.DELIVERED, 0, evictions(slow));
    }

    /**
     * Under the lock: adds a big room's presence change to the next batch, which goes out once
     * per {@link PresencePolicy#interval}: members of a room of thousands hear of joins and leaves
     * at most once a second or so, as one frame with the names and the count, instead of one
     * event per change each.
     */
    private void batch(boolean joined, String memberName, int count) {
        Boolean before = presenceBatch.get(memberName);
        if (before != null && before != joined) {
            presenceBatch.remove(memberName); // came and went (or went and came back) within the batch
        } else {
            presenceBatch.put(memberName, joined);
        }
        presenceBatchCount = count;
        if (!presenceBatchScheduled) {
            presenceBatchScheduled = true;
            long wait = presencePolicy.interval(count).toNanos();
            // The batch's own short-lived thread: it ends after one batch.
            Thread.ofVirtual().inheritInheritableThreadLocals(false).start(() -> sendPresenceBatchAfter(wait));
        }
    }

    private void sendPresenceBatchAfter(long waitNanos) {
        try {
            Thread.sleep(Duration.ofNanos(waitNanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // nobody interrupts it; send regardless
        }
        List<Subscriber> slow = null;
        lock.lock();
        try {
            presenceBatchScheduled = false;
            if (!closed && !presenceBatch.isEmpty()) {
                List<String> came = new ArrayList<>();
                List<String> went = new ArrayList<>();
                int more = 0;
                for (var c : presenceBatch.entrySet()) {
                    List<String> to = c.getValue() ? came : went;
                    if (to.size() < Broker.MEMBERS_LISTED) {
                        to.add(c.getKey());
                    } else {
                        more++;
                    }
                }
                if (members.length > 0) {
                    slow = enqueue(Encoder.presenceBatch(name, came, went, more, presenceBatchCount), 0, System.nanoTime());
                }
            }
            presenceBatch.clear();
        } finally {
            lock.unlock();
        }
        evictions(slow).run();
    }

    /** The door for typing notices: queued with the room's other traffic, never stored. */
    Delivery.Result typing(String memberName) {
        List<Subscriber> slow;
        lock.lock();
        try {
            if (closed || members.length == 0) {
                return Delivery.Result.of(Delivery.Kind.NO_ROOM, 0);
            }
            slow = enqueue(Encoder.typing(name, memberName), 0, System.nanoTime());
        } finally {
            lock.unlock();
        }
        return new Delivery.Result(Delivery.Kind.DELIVERED, 0, evictions(slow));
    }

    /** The seq this room delivered last in {@code epoch}, or -1 if it has delivered nothing. */
    long position(String inEpoch) {
        lock.lock();
        try {
            return epoch != null && epoch.equals(inEpoch) ? last : -1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The log began again or lost what this room had not delivered: every member is handed the
     * room afresh ({@code joined} with {@code reset}, then the backlog), as after a reconnect.
     * False when the backlog is older than what the room delivered: read it again.
     */
    boolean rebase(Broker.Backlog b) {
        List<Subscriber> slow;
        lock.lock();
        try {
            if (b.epoch().equals(epoch) && b.head() < last) {
                return false;
            }
            slow = flushPending(System.nanoTime());
            epoch = b.epoch();
            last = b.head();
            ahead.clear();
            Frame joined = Encoder.rejoined(name, b.head(), b.epoch(), b.members(), b.memberCount());
            for (Member m : members) {
                m.subscriber().offerAlways(joined);
                for (Message message : b.messages()) {
                    m.subscriber().offerAlways(message.frame());
                }
            }
        } finally {
            lock.unlock();
        }
        evictions(slow).run();
        return true;
    }

    /** Sends what is pending now, and from now on every message at once (a shutdown drain). */
    void flushNow() {
        delayNanos = 0;
        List<Subscriber> slow;
        lock.lock();
        try {
            draining = true;
            delayNanos = 0;
            slow = flushPending(System.nanoTime());
        } finally {
            lock.unlock();
        }
        evictions(slow).run();
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
        evictions(slow).run();
    }

    /**
     * Under the lock: sends {@code f} (with {@code seq}, 0 for none) to every member now if the
     * room has been quiet for the delay, else adds it to the pending batch and makes sure a flush
     * is scheduled. Returns the members whose outbox overflowed.
     */
    private List<Subscriber> enqueue(Frame f, long seq, long now) {
        relax(now);
        long delay = delayNanos;
        if (pending.isEmpty() && now - lastFanOut >= delay) {
            lastFanOut = now; // a quiet room: no reason to wait
            return fanOut(f, seq);
        }
        if (pending.size() == pendingSeqs.length) {
            pendingSeqs = Arrays.copyOf(pendingSeqs, pendingSeqs.length * 2);
        }
        pendingSeqs[pending.size()] = seq;
        pending.add(f);
        pendingMessages += f.count();
        pendingBytes += f.bytes();
        if (batchLimit.reached(pendingMessages, pendingBytes)) {
            return flushPending(now); // the scheduled flush, if any, then finds nothing to do
        }
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
        pendingMessages = 0;
        pendingBytes = 0;
        joinedSinceFlush.clear();
        if (!ahead.isEmpty()) {
            ahead.values().removeIf(through -> through <= last);
        }
        return slow;
    }

    /** Pending frames {@code from}..{@code to} (exclusive) as one frame to every member, each from where it joined. */
    private List<Subscriber> fanOut(int from, int to) {
        if (joinedSinceFlush.isEmpty() && ahead.isEmpty()) {
            return fanOut(Frame.join(pending, from, to), 0);
        }
        Frame all = Frame.join(pending, from, to);
        List<Refused> refused = null;
        for (Member m : members) {
            Subscriber s = m.subscriber();
            Integer skip = joinedSinceFlush.get(s);
            int start = skip == null ? from : Math.max(from, skip);
            Long through = ahead.get(s);
            Frame f;
            if (through != null) {
                f = skipping(start, to, through);
            } else {
                f = start >= to ? null : start == from ? all : Frame.join(pending, start, to);
            }
            if (f != null && !s.offer(f)) {
                refused = refuse(refused, s, f);
            }
        }
        return settle(refused, System.nanoTime());
    }

    /** Pending frames {@code from}..{@code to} without the messages at or below {@code through}; null if none is left. */
    private Frame skipping(int from, int to, long through) {
        List<Frame> kept = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            if (pendingSeqs[i] == 0 || pendingSeqs[i] > through) {
                kept.add(pending.get(i));
            }
        }
        return kept.isEmpty() ? null : Frame.join(kept, 0, kept.size());
    }

    /** Queues a frame (with {@code seq}, 0 for none) to every member; returns those whose outbox overflowed. */
    private List<Subscriber> fanOut(Frame frame, long seq) {
        List<Refused> refused = null;
        boolean skipAhead = seq != 0 && !ahead.isEmpty();
        for (Member m : members) {
            if (skipAhead) {
                Long through = ahead.get(m.subscriber());
                if (through != null && seq <= through) {
                    continue;
                }
            }
            if (!m.subscriber().offer(frame)) {
                refused = refuse(refused, m.subscriber(), frame);
            }
        }
        return settle(refused, System.nanoTime());
    }

    /** A member whose outbox was full for a frame of this fan-out. */
    private record Refused(Subscriber subscriber, Frame frame) {
    }

    private static List<Refused> refuse(List<Refused> refused, Subscriber s, Frame f) {
        if (refused == null) {
            refused = new ArrayList<>(2);
        }
        refused.add(new Refused(s, f));
        return refused;
    }

    /**
     * Under the lock: what to do with the members whose outbox was full. One, or a few of the
     * room (at most one in {@link #CROWD}): they are slower than the others — cut them. More: the machine
     * is behind, not they — the room waits longer for company (bigger batches, fewer writes: the
     * cost of a delivery is per write) and their frames go in past the bound, up to its hard
     * limit; only a member past that is cut. Returns the members to cut.
     */
    private List<Subscriber> settle(List<Refused> refused, long now) {
        if (refused == null) {
            return null;
        }
        List<Subscriber> slow = null;
        boolean crowd = !draining && refused.size() > 1 && (long) refused.size() * CROWD > members.length;
        if (crowd && delayNanos < MAX_DELAY_NANOS) {
            delayNanos = Math.min(MAX_DELAY_NANOS, Math.max(2 * delayNanos, MIN_RAISED_DELAY_NANOS));
            delayChanged = now;
        }
        for (Refused r : refused) {
            if (!crowd || !r.subscriber().offerPastBound(r.frame())) {
                slow = add(slow, r.subscriber());
            }
        }
        return slow;
    }

    /** Under the lock: a raised delay halves back toward {@code parley.write-delay}, once a second while nobody falls behind. */
    private void relax(long now) {
        if (delayNanos > baseDelayNanos && !draining && now - delayChanged > RELAX_NANOS) {
            delayNanos = Math.max(baseDelayNanos, delayNanos / 2);
            delayChanged = now;
        }
    }

    /** A room's members fall behind "as a crowd" when more than one in this many is refused at once. */
    static final int CROWD = 10;
    /** The highest a saturated room's delay goes: {@code parley.write-delay}'s own upper limit. */
    static final long MAX_DELAY_NANOS = Duration.ofMillis(100).toNanos();
    private static final long MIN_RAISED_DELAY_NANOS = Duration.ofMillis(5).toNanos();
    private static final long RELAX_NANOS = Duration.ofSeconds(1).toNanos();

    /** The delay a fan-out waits now (tests, telemetry). */
    long delayNanos() {
        return delayNanos;
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

    private static Runnable evictions(List<Subscriber> slow) {
        return slow == null ? () -> { } : () -> slow.forEach(Subscriber::evictSlow);
    }

    private static Member[] with(Member[] current, Member added) {
        Member[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = added;
        return next;
    }
}
