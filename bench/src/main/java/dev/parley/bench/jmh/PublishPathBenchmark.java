package dev.parley.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.parley.config.ParleyConfig;
import dev.parley.hub.Room;
import dev.parley.protocol.Decoder;
import dev.parley.protocol.Encoder;
import dev.parley.protocol.Inbound;

/**
 * Question: what does one published message cost from end to end inside the server — decode,
 * seq, history, fan-out to every member's outbox and the writers taking it out — at 10, 1,000
 * and 10,000 members, and how much of that does the writers' coalescing save when messages
 * arrive in bursts?
 *
 * <p>The real {@link Decoder}, {@code Hub} and {@code Room}, and one real {@code Outbox} per
 * member ({@link DrainedRoom}), each drained by its own virtual thread as a
 * {@code SessionWriter} would be, minus the socket write. The benchmark thread plays the
 * sender's reader thread: it decodes a {@code send}, publishes it, and queues the {@code ack} to
 * its own outbox, like {@code Connection.send} (without rate limit and telemetry). Every
 * operation then waits (bounded, 30 s, failing instead of hanging) until the writers have taken
 * out everything it caused — the message to every member, the sender included, and the ack — so
 * the writers' cost is charged to the operation that caused it. {@code oneThenWait} publishes one
 * message per wait, so every writer wakes for every message; {@code sixteenThenWait} publishes 16
 * and then waits, so a writer can take several in one batch. Scores are per message.
 *
 * <p>Expected: the decode and encode are a few microseconds, fixed; the rest grows with the room:
 * per member an outbox offer under the room lock (tens of nanoseconds) plus waking its writer
 * thread (a virtual-thread unpark, about a microsecond), so about a millisecond per message at
 * 1,000 members and ten at 10,000 on 2 cores, with {@code sixteenThenWait} several times cheaper per
 * message because one wake-up then carries several messages.
 *
 * <p>Measured (bench/README.md, four runs on 2 cores): {@code oneThenWait} 26-48 us at 10 members,
 * 0.34-1.8 ms at 1,000 and 10-36 ms at 10,000, about as expected on a busy, shared machine;
 * {@code sixteenThenWait} 0.07-0.41x of that per message in every run, as expected.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PublishPathBenchmark {
    /** More distinct client ids than the history holds, so an id is never a duplicate when it comes round again. */
    private static final int IDS = 4096;

    @Param({"10", "1000", "10000"})
    int members;

    private DrainedRoom room;
    private Decoder decoder;
    private String[] sends;
    private int next;

    @Setup
    public void setUp() throws Exception {
        room = new DrainedRoom(members);
        decoder = new Decoder(room.config.maxTextChars(), ParleyConfig.HISTORY_PAGE_MAX);
        sends = new String[IDS];
        for (int i = 0; i < IDS; i++) {
            sends[i] = "{\"type\":\"send\",\"room\":\"" + DrainedRoom.ROOM + "\",\"id\":\"m-" + i
                       + "\",\"text\":\"message " + i
                       + ": the quick brown fox jumps over the lazy dog; pack my box with five dozen jugs\"}";
        }
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        room.close();
    }

    @Benchmark
    public long oneThenWait() throws Exception {
        room.drains.expect(members + 1L);
        long seq = send();
        room.drains.await(DrainedRoom.BOUND);
        return seq;
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public long sixteenThenWait() throws Exception {
        room.drains.expect(16L * (members + 1));
        long seq = 0;
        for (int i = 0; i < 16; i++) {
            seq = send();
        }
        room.drains.await(DrainedRoom.BOUND);
        return seq;
    }

    /** What Connection.send does on the reader thread, minus rate limit and telemetry. */
    private long send() throws Exception {
        String json = sends[next++ & (IDS - 1)];
        Inbound.Send s = (Inbound.Send) decoder.decode(json);
        Room.Published p = room.hub.publish(s.room(), "alice", s.text(), s.id());
        if (p.duplicate() || p.fanout() != members) {
            throw new IllegalStateException("unexpected publish result " + p);
        }
        if (!room.sender.offer(Encoder.ack(s.room(), p.seq(), s.id()))) {
            throw new IllegalStateException("sender's outbox full");
        }
        return p.seq();
    }
}
