package dev.parley.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.parley.config.ParleyConfig;
import dev.parley.hub.Hub;
import dev.parley.protocol.ProtocolError;

/**
 * Question: how long does a join, and the leave after it, hold the room lock in a room of 10,
 * 1,000 and 10,000 members with distinct names — how long does every publish to that room wait
 * behind it?
 *
 * <p>The real {@link Hub} and {@code Room}; members only count ({@link CountingSubscriber}). A
 * join under the room lock copies the member array, announces the new name to everyone (one
 * shared frame), sorts all names into a {@code TreeSet} for the {@code joined} frame and encodes
 * them, and queues the last {@code parley.history.on-join} messages; the leave copies the array
 * again and announces the departure. One operation is one join plus its leave, of a name not in
 * the room; the room holds 50 messages, so the replay is full-size.
 *
 * <p>Expected: the array copies and presence fan-outs are a few nanoseconds per member; sorting
 * the names (a {@code TreeSet} of n strings, ~100 ns each) and encoding them dominate: O(n log n),
 * about a millisecond at 10,000 members — a reconnect storm of that room (10,000 joins) would hold
 * its lock for seconds. Setup at 10,000 members takes a while for the same reason.
 *
 * <p>Measured (bench/README.md, four runs on 2 cores): 113-160 us at 1,000 members and 2.0-2.6 ms
 * at 10,000; JMH's stack profiler puts about 70 % of it in the {@code TreeSet} of names and about
 * 18 % in encoding them. As expected.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JoinLeaveBenchmark {
    private static final String ROOM = "bench";

    @Param({"10", "1000", "10000"})
    int members;

    private Hub hub;
    private final CountingSubscriber joiner = new CountingSubscriber();
    private int next;

    @Setup
    public void setUp() throws ProtocolError {
        hub = new Hub(ParleyConfig.defaults());
        CountingSubscriber sender = new CountingSubscriber();
        hub.join(sender, ROOM, "alice", null, null);
        for (int i = 1; i < members; i++) {
            hub.join(new CountingSubscriber(), ROOM, "member-" + i, null, null);
        }
        for (int i = 0; i < 50; i++) {
            hub.publish(ROOM, "alice", "message " + i + ": the quick brown fox jumps over the lazy dog", "m-" + i);
        }
    }

    @Benchmark
    public long joinLeave() throws ProtocolError {
        String name = "guest-" + (next++ & 1023);
        long head = hub.join(joiner, ROOM, name, null, null).head();
        if (!hub.leave(joiner, ROOM)) {
            throw new IllegalStateException("not a member");
        }
        return head;
    }
}
