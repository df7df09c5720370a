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

import dev.parley.protocol.Encoder;
import dev.parley.protocol.Frame;

/**
 * Question: what does a broadcast save by encoding a message once and handing the same
 * {@link Frame} to every recipient ({@code Room.publish} via {@link Encoder#message}), against
 * encoding it once per recipient?
 *
 * <p>Both methods hand each recipient a frame the same way (a sink that keeps it and adds its
 * size); they differ only in where {@link Encoder#message} is called. The message is the shape
 * of a typical chat line: a 100-character text with a client id.
 *
 * <p>Expected: one Jackson encode of such a message costs about half a microsecond to a
 * microsecond, a hand-off a few nanoseconds; so per-recipient encoding costs about
 * {@code recipients} times more — roughly 10x at 10 recipients and several hundred times at 1,000.
 *
 * <p>Measured (bench/README.md, four runs on 2 cores): per-recipient encoding 7-11x the cost at
 * 10 recipients and 108-266x at 1,000. As expected.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EncodeOnceBenchmark {
    private static final String TEXT = "The quick brown fox jumps over the lazy dog; "
                                       + "pack my box with five dozen liquor jugs. Sphinx of black quartz!";

    @Param({"10", "1000"})
    int recipients;

    Sink[] sinks;
    long seq;

    @Setup
    public void setUp() {
        sinks = new Sink[recipients];
        for (int i = 0; i < recipients; i++) {
            sinks[i] = new Sink();
        }
    }

    @Benchmark
    public long once() {
        long s = ++seq;
        Frame f = Encoder.message("lobby", s, "alice", TEXT, 1_700_000_000_000L + s, "m-" + (s & 1023));
        long bytes = 0;
        for (Sink sink : sinks) {
            bytes += sink.take(f);
        }
        return bytes;
    }

    @Benchmark
    public long perRecipient() {
        long s = ++seq;
        String id = "m-" + (s & 1023);
        long bytes = 0;
        for (Sink sink : sinks) {
            bytes += sink.take(Encoder.message("lobby", s, "alice", TEXT, 1_700_000_000_000L + s, id));
        }
        return bytes;
    }

    /** Stands in for an outbox: keeps the frame it was handed, as a queue would. */
    static final class Sink {
        Frame last;

        int take(Frame f) {
            last = f;
            return f.bytes();
        }
    }
}
