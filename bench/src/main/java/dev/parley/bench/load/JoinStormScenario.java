package dev.parley.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Recorder;

/**
 * A crowd arriving at once: N clients connect and each joins one shared room, at most
 * {@code --connect-concurrency} of them in their handshake or join at a time. Each client
 * starts reading as soon as it has joined, as a real one would, so it receives the presence of
 * everyone who joins after it: the storm's cost grows with the square of the crowd.
 *
 * <p>Reported: how long until all have received {@code joined}, per client the handshake
 * (upgrade + {@code hello}) and the join ({@code join} sent to {@code joined} received), the
 * failures by reason, the server's CPU during the storm, and afterwards how long the presence
 * fan-out took until every member knew the whole room, and whom the server cut.
 *
 * <p>"Knew the whole room": a member's {@code joined} list plus the {@code presence} after it
 * are its view of the room ({@code docs/protocol.md}); the generator keeps only the largest
 * size it was told ({@link PeerStats#roomSizeSeen}), which, while members only arrive, reaches
 * the number of clients that joined once the last change has reached that member. The total of
 * presence objects shows what the fan-out cost: close to J(J−1)/2 for J joiners, not exactly,
 * since a joiner's list may already name some of those joining beside it, whose presence may
 * then reach it anyway or not at all.
 */
final class JoinStormScenario {

    /**
     * The presence drain ends early when nothing new arrived for this long: longer than the
     * longest interval between a big room's presence batches (10 s).
     */
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(12);
    /** Idle-sized; a frame of presence that needs more grows it. */
    private static final int BUFFER_BYTES = 1024;
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final LoadOptions o;

    JoinStormScenario(LoadOptions options) {
        this.o = options;
    }

    Report run() throws Exception {
        int n = o.connections;
        Window window = new Window();
        WsConnection[] connections = new WsConnection[n];
        ServerProbe server = o.serverPids.length > 0 ? new ServerProbe(o.serverPids) : null;
        long rssBefore = server == null ? -1 : server.rssKib();
        ReadDriver driver = new ReadDriver(o.io, o.reactors);
        Recorder handshakes = new Recorder(MAX_MICROS, 3);
        Recorder joins = new Recorder(MAX_MICROS, 3);

        CpuSnapshot cpu0 = CpuSnapshot.take(server);
        Phase.Outcome storm = Phase.run("join", n, o.connectConcurrency, o.connectTimeoutSeconds, i -> {
            long start = System.nanoTime();
            PeerStats stats = new PeerStats(window, false, 0);
            WsConnection c = WsConnection.open(o.url(i), i, stats, 0, BUFFER_BYTES);
            try {
                c.awaitBlocking(stats::hello);
                long helloAt = System.nanoTime();
                handshakes.recordValue(Math.min((helloAt - start) / 1000, MAX_MICROS));
                c.sendText("{\"type\":\"join\",\"room\":\"" + o.room + "\",\"name\":\"j" + i + "\"}");
                c.awaitBlocking(stats::joined);
                joins.recordValue(Math.min((System.nanoTime() - helloAt) / 1000, MAX_MICROS));
                c.shrinkBuffer(BUFFER_BYTES);
            } catch (IOException | RuntimeException e) {
                c.shutdown();
                throw e;
            }
            connections[i] = c;
            driver.start(c, 0);
        });
        CpuSnapshot cpu1 = CpuSnapshot.take(server);
        long rssJoined = server == null ? -1 : server.rssKib();
        System.err.printf("%d of %d joined in %.0f ms%n", storm.succeeded(), n, storm.elapsedMillis());

        // Phase.run joined every task's thread: connections[] is visible here.
        List<WsConnection> joined = new ArrayList<>();
        for (WsConnection c : connections) {
            if (c != null) {
                joined.add(c);
            }
        }
        int roomSize = joined.size();
        long drainStart = System.nanoTime();
        drainPresence(joined, roomSize, drainStart + Sender.secondsToNanos(o.drainSeconds));
        long drainNanos = System.nanoTime() - drainStart;
        int viewsComplete = viewsComplete(joined, roomSize);
        CpuSnapshot cpu2 = CpuSnapshot.take(server);
        Map<Integer, Integer> closes = FanoutScenario.closes(joined);
        long stillOpen = joined.stream().filter(c -> !c.isClosed()).count();
        long rssAfter = server == null ? -1 : server.rssKib();
        for (WsConnection c : joined) {
            c.shutdown();
        }
        driver.stop();

        long presence = 0;
        Map<String, Integer> errors = new TreeMap<>();
        for (WsConnection c : joined) {
            presence += c.stats.presence();
            c.stats.errors().forEach((k, v) -> errors.merge(k, v, Integer::sum));
        }

        Report r = new Report();
        r.put("label", o.label).put("mode", "joinstorm").put("io", o.io.name().toLowerCase());
        r.put("connections", n, "clients").put("in_flight", o.connectConcurrency, "handshakes + joins in flight");
        if (o.urls.size() > 1) {
            r.put("nodes", o.urls.size(), "server nodes (connections spread evenly)");
        }
        r.put("joined", storm.succeeded(), "clients joined").put("failed", storm.failed(), "clients failed");
        r.put("failures", Report.counts(storm.failures()), "failures (reason:count)");
        r.put("storm_ms", FanoutScenario.round(storm.elapsedMillis()), "all joined after (ms)");
        r.put("joins_per_s", storm.elapsedNanos() == 0 ? 0
                : FanoutScenario.round(storm.succeeded() / (storm.elapsedNanos() / 1e9)), "joins/s");
        r.latency("handshake", handshakes.getIntervalHistogram(), "per handshake (upgrade + hello)");
        r.latency("join", joins.getIntervalHistogram(), "per join (join to joined)");
        r.latency("client", storm.micros(), "per client (connect to joined)");
        CpuSnapshot.report(r, "storm_", cpu0, cpu1, storm.succeeded(), "join");
        r.put("views_complete", viewsComplete, "members told of all " + roomSize + " (joined list + presence)");
        r.put("views_short", roomSize - viewsComplete, "members told of fewer");
        r.put("presence_received", presence, "presence objects received (all members)");
        r.put("presence_drain_ms", FanoutScenario.round(drainNanos / 1e6),
                "after the storm, all told after (ms; or gave up)");
        // The storm and its presence drain together: what the crowd's arrival cost in all.
        CpuSnapshot.report(r, "settled_", cpu0, cpu2, storm.succeeded(), "join");
        r.put("open_after", stillOpen, "still open at the end");
        r.put("closes", Report.counts(closes), "closed by server (code:count)");
        r.put("errors", Report.counts(errors), "server errors");
        r.put("server_rss_before_mb", mib(rssBefore), "server RSS before (MiB)");
        r.put("server_rss_joined_mb", mib(rssJoined), "server RSS all joined (MiB)");
        r.put("server_rss_after_mb", mib(rssAfter), "server RSS after the drain (MiB)");
        r.put("cores", Runtime.getRuntime().availableProcessors());
        return r;
    }

    /** Members that were told the room holds at least {@code roomSize} names. */
    private static int viewsComplete(List<WsConnection> group, int roomSize) {
        int n = 0;
        for (WsConnection c : group) {
            if (c.stats.roomSizeSeen() >= roomSize) {
                n++;
            }
        }
        return n;
    }

    /**
     * Waits until every member was told of the whole room, presence stops arriving for a
     * while, or the deadline.
     */
    private static void drainPresence(List<WsConnection> group, int roomSize, long deadline)
            throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        while (viewsComplete(group, roomSize) < group.size()) {
            long got = 0;
            for (WsConnection c : group) {
                got += c.stats.presence();
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return;
            }
            if (got != last) {
                last = got;
                lastChange = now;
            } else if (now - lastChange > QUIET_NANOS) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private static double mib(long kib) {
        return kib < 0 ? -1 : FanoutScenario.round(kib / 1024.0);
    }
}
