package dev.parley.bench.jmh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.parley.config.ParleyConfig;
import dev.parley.hub.Hub;
import dev.parley.hub.Room;
import dev.parley.protocol.Decoder;
import dev.parley.protocol.Encoder;
import dev.parley.protocol.Inbound;
import dev.parley.ws.DrainedOutbox;

/**
 * Question: what does one published message cost from end to end inside the server — decode,
 * seq, history, fan-out to every member's outbox and the writers taking it out — at 10, 1,000
 * and 10,000 members, and how much of that does the writers' coalescing save when messages
 * arrive in bursts?
 *
 * <p>The real {@link Decoder}, {@link Hub} and {@code Room}, and one real {@code Outbox} per
 * member ({@link DrainedOutbox}), each drained by its own virtual thread as a
 * {@code SessionWriter} would be, minus the socket write. The benchmark thread plays the
 * sender's reader thread: it decodes a {@code send}, publishes it, and queues the {@code ack} to
 * its own outbox, like {@code Connection.send} (without rate limit and telemetry). Every
 * operation then waits (bounded, 30 s, failing instead of hanging) until the writers have taken
 * out everything it caused — the message to every member, the sender included, and the ack — so
 * the writers' cost is charged to the operation that caused it. {@code one} publishes one message
 * per wait, so every writer wakes for every message; {@code burst16} publishes 16 and then waits,
 * so a writer can take several in one batch. Scores are per message.
 *
 * <p>Expected: the decode and encode are a few microseconds, fixed; the rest grows with the room:
 * per member an outbox offer under the room lock (tens of nanoseconds) plus waking its writer
 * thread (a virtual-thread unpark, about a microsecond), so about a millisecond per message at
 * 1,000 members and ten at 10,000 on 2 cores, with {@code burst16} several times cheaper per
 * message because one wake-up then carries several messages.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PublishPathBenchmark {
    private static final String ROOM = "bench";
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** More distinct client ids than the history holds, so an id is never a duplicate when it comes round again. */
    private static final int IDS = 4096;

    @Param({"10", "1000", "10000"})
    int members;

    private final DrainedOutbox.Drains drains = new DrainedOutbox.Drains();
    private final List<DrainedOutbox> outboxes = new ArrayList<>();
    private Hub hub;
    private Decoder decoder;
    private DrainedOutbox sender;
    private String[] sends;
    private int next;

    @Setup
    public void setUp() throws Exception {
        ParleyConfig config = ParleyConfig.defaults();
        hub = new Hub(config);
        decoder = new Decoder(config.maxTextChars(), ParleyConfig.HISTORY_PAGE_MAX);
        sends = new String[IDS];
        for (int i = 0; i < IDS; i++) {
            sends[i] = "{\"type\":\"send\",\"room\":\"" + ROOM + "\",\"id\":\"m-" + i + "\",\"text\":\"message " + i
                       + ": the quick brown fox jumps over the lazy dog; pack my box with five dozen jugs\"}";
        }
        // Each join queues `joined` to the joiner; the first "member" is announced to the sender.
        // One shared name for the members keeps setup at one frame per join.
        drains.expect(members + 1);
        sender = subscriber(config);
        hub.join(sender, ROOM, "alice", null, null);
        for (int i = 1; i < members; i++) {
            hub.join(subscriber(config), ROOM, "member", null, null);
        }
        drains.await(BOUND);
    }

    private DrainedOutbox subscriber(ParleyConfig config) {
        DrainedOutbox o = new DrainedOutbox(config.outboxMaxMessages(), config.outboxMaxBytes(), drains);
        outboxes.add(o);
        return o;
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        for (DrainedOutbox o : outboxes) {
            o.close();
        }
    }

    @Benchmark
    public long one() throws Exception {
        drains.expect(members + 1L);
        long seq = send();
        drains.await(BOUND);
        return seq;
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public long burst16() throws Exception {
        drains.expect(16L * (members + 1));
        long seq = 0;
        for (int i = 0; i < 16; i++) {
            seq = send();
        }
        drains.await(BOUND);
        return seq;
    }

    /** What Connection.send does on the reader thread, minus rate limit and telemetry. */
    private long send() throws Exception {
        String json = sends[next++ & (IDS - 1)];
        Inbound.Send s = (Inbound.Send) decoder.decode(json);
        Room.Published p = hub.publish(s.room(), "alice", s.text(), s.id());
        if (p.duplicate() || p.fanout() != members) {
            throw new IllegalStateException("unexpected publish result " + p);
        }
        sender.offer(Encoder.ack(s.room(), p.seq(), s.id()));
        return p.seq();
    }
}
