package dev.parley.bench.jmh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import dev.parley.config.ParleyConfig;
import dev.parley.hub.Hub;
import dev.parley.protocol.ProtocolError;
import dev.parley.ws.DrainedOutbox;

/**
 * Benchmark fixture: a real {@link Hub} with one room of {@code members} connections, each a real
 * outbox drained by its own virtual thread ({@link DrainedOutbox}). The first member, "alice", is
 * the sender; the others share the name "member", so a join queues one {@code joined} frame and
 * setup stays linear in frames.
 */
final class DrainedRoom implements AutoCloseable {
    static final String ROOM = "bench";
    /** How long any wait for the writers may take before the benchmark fails instead of hanging. */
    static final Duration BOUND = Duration.ofSeconds(30);

    /**
     * The defaults, but no fan-out coalescing: one message per wait would otherwise measure the
     * room's delay, not its work.
     */
    final ParleyConfig config = ParleyConfig.from(Config.just(ConfigSources.create(Map.of("parley.write-delay", "PT0S"))));
    final Hub hub = new Hub(config);
    final DrainedOutbox.Drains drains = new DrainedOutbox.Drains();
    final DrainedOutbox sender;
    final int members;
    private final List<DrainedOutbox> outboxes = new ArrayList<>();

    DrainedRoom(int members) throws ProtocolError {
        this.members = members;
        // Every join queues `joined` to the joiner; the first "member" is announced to alice.
        drains.expect(members + (members > 1 ? 1 : 0));
        sender = outbox();
        hub.join(sender, ROOM, "alice", null, null);
        for (int i = 1; i < members; i++) {
            hub.join(outbox(), ROOM, "member", null, null);
        }
        drains.await(BOUND);
    }

    private DrainedOutbox outbox() {
        DrainedOutbox o = new DrainedOutbox(config.outboxMaxMessages(), config.outboxMaxBytes(), drains);
        outboxes.add(o);
        return o;
    }

    @Override
    public void close() throws InterruptedException {
        for (DrainedOutbox o : outboxes) {
            o.close();
        }
    }
}
