package dev.parley.bench.jmh;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Question: what does Jackson's per-thread buffer recycling save per encoded message and per
 * decoded {@code send}, now that {@code Encoder} and {@code Decoder} turn it off (commit 77a1890:
 * with a virtual thread per connection the cache held 16 KB per idle connection)?
 *
 * <p>{@code encode} builds the {@code message} object exactly as {@code Encoder.message} does
 * (UTF-8 straight into a {@link ByteArrayBuilder}); {@code decode} is {@code Decoder}'s
 * {@code readTree} of a typical {@code send}. Variants: {@code threadLocal} is Jackson's default
 * factory, {@code none} the factory {@code Encoder} builds, recycling disabled. The JMH thread is
 * long-lived, like a connection's reader thread, so {@code threadLocal} sees its cache warm as a
 * busy connection would. {@code encoder} calls the real {@link Encoder#message} (whatever the
 * variant) as a check that {@code encode} measures what Parley runs. Jackson here is the 2.15.2
 * that Helidon 4.1.2 brings, which has no shared recycler pool (that came in 2.16).
 *
 * <p>Expected: without recycling, every generator allocates and zeroes its 8,000-byte output
 * buffer and every parser its 4,000-char buffers: a few kilobytes per call for a 200-byte
 * message, so {@code none} is measurably slower — perhaps twice — on both paths.
 *
 * <p>Measured (bench/README.md): {@code Encoder.message} about 1.0-1.2 us and 18 KB per message
 * against 0.36 us and 1.8 KB for the recycling factory; a decode 0.63 us and 9.5 KB against
 * 0.35 us and 1.3 KB. Worse than expected for the encode (about 3x), as expected for the decode.
 */
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JsonRecyclingBenchmark {
    private static final String TEXT = "The quick brown fox jumps over the lazy dog; "
                                       + "pack my box with five dozen liquor jugs. Sphinx of black quartz!";
    private static final String SEND = "{\"type\":\"send\",\"room\":\"lobby\",\"id\":\"m-42\",\"text\":\"" + TEXT + "\"}";

    @Param({"threadLocal", "none"})
    String variant;

    private JsonFactory json;
    private ObjectMapper mapper;
    private long seq;

    @Setup
    public void setUp() {
        json = switch (variant) {
            case "threadLocal" -> new JsonFactory();
            case "none" -> JsonFactory.builder().disable(JsonFactory.Feature.USE_THREAD_LOCAL_FOR_BUFFER_RECYCLING).build();
            default -> throw new IllegalArgumentException(variant);
        };
        mapper = new ObjectMapper(json);
    }

    @Benchmark
    public byte[] encode() throws IOException {
        long s = ++seq;
        ByteArrayBuilder out = new ByteArrayBuilder(128);
        try (JsonGenerator g = json.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("type", "message");
            g.writeStringField("room", "lobby");
            g.writeNumberField("seq", s);
            g.writeStringField("from", "alice");
            g.writeStringField("text", TEXT);
            g.writeNumberField("ts", 1_700_000_000_000L + s);
            g.writeStringField("id", "m-42");
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    @Benchmark
    public Frame encoder() {
        long s = ++seq;
        return Encoder.message("lobby", s, "alice", TEXT, 1_700_000_000_000L + s, "m-42");
    }

    @Benchmark
    public JsonNode decode() throws IOException {
        return mapper.readTree(SEND);
    }
}
