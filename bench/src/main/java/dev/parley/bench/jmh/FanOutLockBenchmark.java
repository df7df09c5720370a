package dev.parley.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.parley.hub.Room;

/**
 * Question: how long does one publish hold its room's lock when the members are real outboxes
 * with real (virtual-thread) writers — that is, how long can a join, a leave or another sender
 * in that room be made to wait?
 *
 * <p>{@code Room.publish} does everything under the room lock: duplicate check, seq, encoding,
 * history append and the offer to every member's outbox; only the map lookup in {@code Hub} and
 * evictions are outside it. So the time of {@code hub.publish} is the lock's hold time. The
 * writers' draining is waited for (bounded) in an untimed per-invocation teardown, so every
 * publish finds the writers parked on empty outboxes and each offer has to wake one: the worst
 * case, which is also the common one in a room that is not flooded. Same fixture as
 * {@link PublishPathBenchmark} ({@link DrainedRoom}); compare with {@link RoomBroadcastBenchmark},
 * whose members only count.
 *
 * <p>Expected: per member, an uncontended outbox lock, an {@code ArrayDeque} add and a
 * {@code Condition.signal} that unparks a virtual thread (a push to the scheduler's queue, now and
 * then a carrier wake-up): a few hundred nanoseconds, a hundred times a counting member. So about
 * 0.3 ms at 1,000 members and 3 ms at 10,000 — nothing else in the room moves meanwhile.
 *
 * <p>Measured (bench/README.md, four runs on 2 cores): 100-185 us at 1,000 members and 2.8-10 ms
 * at 10,000 — about as expected — and 50-300x what walking the member array itself costs
 * ({@link RoomBroadcastBenchmark}): the outboxes and waking their writers are nearly all of it.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanOutLockBenchmark {
    private static final String TEXT = "the quick brown fox jumps over the lazy dog; pack my box with five dozen jugs";

    @Param({"10", "1000", "10000"})
    int members;

    private DrainedRoom room;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        room = new DrainedRoom(members);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        room.close();
    }

    @Setup(Level.Invocation)
    public void expect() {
        room.drains.expect(members);
    }

    @TearDown(Level.Invocation)
    public void drained() {
        room.drains.await(DrainedRoom.BOUND);
    }

    @Benchmark
    public long publish() throws Exception {
        int i = next++ & 4095; // more ids than the history holds: never a duplicate
        Room.Published p = room.hub.publish(DrainedRoom.ROOM, "alice", TEXT, "m-" + i);
        if (p.duplicate() || p.fanout() != members) {
            throw new IllegalStateException("unexpected publish result " + p);
        }
        return p.seq();
    }
}
