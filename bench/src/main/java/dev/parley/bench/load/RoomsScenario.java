package dev.parley.bench.load;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Everyday chat: R rooms of M members, every connection in exactly one room, and in each room
 * one member (member 0) sending {@code --room-rate} messages a second, each room at its own
 * random phase. A warm-up, then a measured window, then a drain.
 *
 * <p>What it shows is the cost of many small rooms, where the fan-out coalescing that makes a
 * big room cheap has little to coalesce: deliveries per second, server CPU per delivery,
 * latency of every member's copy (the sender's own included), completeness per member, and
 * which clients the server cut.
 */
final class RoomsScenario {

    /** A drain ends early when nothing new arrived for this long: the rest is lost, not late. */
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The first message is due this long after the last join, so no send races a join. */
    private static final long LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Small rooms at human pace receive little; the buffer grows if a frame needs more. */
    private static final int BUFFER_BYTES = 4096;

    private final LoadOptions o;

    RoomsScenario(LoadOptions options) {
        this.o = options;
    }

    Report run() throws Exception {
        int m = o.members;
        int n = o.roomConnections();
        Window window = new Window();
        WsConnection[] connections = new WsConnection[n];
        String[] roomNames = new String[o.rooms];
        for (int r = 0; r < o.rooms; r++) {
            roomNames[r] = o.room(r);
        }
        ServerProbe server = o.serverPids.length > 0 ? new ServerProbe(o.serverPids) : null;
        ReadDriver driver = new ReadDriver(o.io, o.reactors);

        CpuSnapshot connectCpu0 = CpuSnapshot.take(server);
        Phase.Outcome connect = Phase.run("connect", n, o.connectConcurrency, o.connectTimeoutSeconds, i -> {
            // One sender per room, so every member checks the order of one counter.
            PeerStats stats = new PeerStats(window, true, 1);
            WsConnection c = WsConnection.greeted(o.url(i), i, stats, 0, BUFFER_BYTES);
            connections[i] = c;
        });
        CpuSnapshot connectCpu1 = CpuSnapshot.take(server);
        System.err.printf("connected %d of %d in %.0f ms%n", connect.succeeded(), n, connect.elapsedMillis());

        boolean[] joined = new boolean[n];
        Phase.Outcome join = Phase.run("join", n, o.connectConcurrency, o.connectTimeoutSeconds, i -> {
            WsConnection c = connections[i];
            if (c == null) {
                throw new IOException("not connected");
            }
            try {
                c.sendText("{\"type\":\"join\",\"room\":\"" + roomNames[i / m] + "\",\"name\":\"m" + (i % m) + "\"}");
                c.awaitBlocking(c.stats::joined);
            } catch (IOException | RuntimeException e) {
                c.shutdown();
                throw e;
            }
            joined[i] = true;
            driver.start(c, 0);
        });
        System.err.printf("joined %d in %.0f ms%n", join.succeeded(), join.elapsedMillis());
        // Phase.run joined every task's thread: joined[] and connections[] are visible here.
        List<WsConnection> members = new ArrayList<>();
        WsConnection[] senders = new WsConnection[o.rooms];
        for (int i = 0; i < n; i++) {
            if (joined[i]) {
                members.add(connections[i]);
                if (i % m == 0) {
                    senders[i / m] = connections[i];
                }
            }
        }

        long periodNanos = Math.max(1, Math.round(1e9 / o.roomRate));
        long t0 = System.nanoTime() + LEAD_NANOS;
        long windowStart = t0 + Sender.secondsToNanos(o.warmupSeconds);
        long windowEnd = windowStart + Sender.secondsToNanos(o.durationSeconds);
        window.set(windowStart, windowEnd);
        RoomPacing pacing = new RoomPacing(t0, periodNanos,
                RoomPacing.randomPhases(o.rooms, periodNanos, ThreadLocalRandom.current()));
        RoomSenders sending = new RoomSenders(pacing, windowEnd, window, senders, roomNames, o.textBytes);
        // A platform thread: the kernel schedules it fairly against the server, on time.
        Thread sender = Thread.ofPlatform().name("room-senders").start(sending);
        System.err.printf("%d rooms × %d members, %.2f msg/s per room: warm-up %.1f s, measured %.1f s%n",
                o.rooms, m, o.roomRate, o.warmupSeconds, o.durationSeconds);

        FanoutScenario.sleepUntil(windowStart);
        CpuSnapshot windowCpu0 = CpuSnapshot.take(server);
        FanoutScenario.sleepUntil(windowEnd);
        CpuSnapshot windowCpu1 = CpuSnapshot.take(server);
        if (!sender.join(Duration.ofSeconds(30))) {
            // Cannot happen with non-blocking writes; with --io vt a write blocked on a server
            // that stopped reading ends when its connection is closed below.
            members.forEach(WsConnection::shutdown);
            sender.join();
        }
        long[] sentInWindow = sending.sentInWindow();

        long drainStart = System.nanoTime();
        RoomDeliveries tally = drain(joined, connections, sentInWindow, drainStart + Sender.secondsToNanos(o.drainSeconds));
        long drainNanos = System.nanoTime() - drainStart;
        Map<Integer, Integer> closes = FanoutScenario.closes(members);
        long serverRss = server == null ? -1 : server.rssKib();
        long serverThreads = server == null ? -1 : server.threads();
        for (WsConnection c : connections) {
            if (c != null) {
                c.shutdown();
            }
        }
        driver.stop();

        tally = tally(joined, connections, sentInWindow); // final counts, after every reader stopped
        long sent = 0;
        for (long s : sentInWindow) {
            sent += s;
        }
        long gaps = 0;
        long reorders = 0;
        long acks = 0;
        long reads = 0;
        long frames = 0;
        long deliveriesAll = 0;
        Map<String, Integer> errors = new TreeMap<>();
        for (WsConnection c : members) {
            gaps += c.stats.gaps();
            reorders += c.stats.reorders();
            acks += c.stats.acks();
            reads += c.stats.reads();
            frames += c.stats.frames();
            deliveriesAll += c.stats.inWindow() + c.stats.outOfWindow() + c.stats.foreign();
            c.stats.errors().forEach((k, v) -> errors.merge(k, v, Integer::sum));
        }
        int cut = 0;
        for (int count : closes.values()) {
            cut += count;
        }
        Histogram latency = FanoutScenario.merge(members);
        Histogram lag = sending.lagMicros();
        double windowSeconds = (windowEnd - windowStart) / 1e9;

        Report r = new Report();
        r.put("label", o.label).put("mode", "rooms").put("io", o.io.name().toLowerCase());
        r.put("rooms", o.rooms, "rooms").put("members", m, "members per room (sender included)");
        r.put("connections", n, "connections (one room each)");
        r.put("room_rate", o.roomRate, "messages/s per room");
        r.put("warmup_s", o.warmupSeconds).put("duration_s", o.durationSeconds, "measured window (s)");
        r.put("text_bytes", o.textBytes);
        if (o.urls.size() > 1) {
            r.put("nodes", o.urls.size(), "server nodes (connections spread evenly)");
        }
        FanoutScenario.phase(r, "connect", connect, "connections established");
        CpuSnapshot.report(r, "connect_", connectCpu0, connectCpu1, connect.succeeded(), "conn");
        r.put("join_ms", FanoutScenario.round(join.elapsedMillis()), "all joined after (ms)");
        r.put("join_failed", join.failed(), "join failures");
        r.put("join_failures", Report.counts(join.failures()));
        r.put("sent", sent, "messages sent in window (all rooms)").put("sent_total", sending.sentTotal());
        r.put("achieved_rate", FanoutScenario.round(sent / windowSeconds), "achieved send rate (msg/s, all rooms)");
        r.put("send_lag_p99_ms", Report.ms(lag.getValueAtPercentile(99)), "send lag p99 (ms)");
        r.put("send_lag_max_ms", Report.ms(lag.getMaxValue()), "send lag max (ms)");
        r.put("sender_failures", sending.failures(), "senders that could not write");
        r.put("sender_failure", sending.firstFailure());
        r.put("acks", acks, "acks (all sends)").put("errors", Report.counts(errors), "server errors");
        r.put("expected", tally.expected(), "deliveries expected (sent × members joined)");
        r.put("received", tally.received(), "deliveries received");
        r.put("missing", tally.missing(), "deliveries missing (member by member)");
        r.put("delivered_pct", FanoutScenario.round(tally.deliveredPct()), "delivered (%)");
        r.put("members_short", tally.membersShort(), "members that missed a message");
        r.put("rooms_short", tally.roomsShort(), "rooms with such a member");
        r.put("delivered_per_s", Math.round(tally.received() / windowSeconds), "delivered/s");
        r.latency("lat", latency, "latency (every member's copy)");
        r.put("gaps", gaps, "seq gaps").put("reorders", reorders, "duplicates/reorders");
        // Over the whole run (presence and warm-up included).
        r.put("deliveries_per_frame", frames == 0 ? 0 : FanoutScenario.round((double) deliveriesAll / frames),
                "messages per frame (server coalescing)");
        r.put("deliveries_per_read", reads == 0 ? 0 : FanoutScenario.round((double) deliveriesAll / reads),
                "messages per socket read");
        r.put("drain_ms", FanoutScenario.round(drainNanos / 1e6), "drain after window (ms)");
        r.put("cut", cut, "clients cut by the server");
        r.put("closes", Report.counts(closes), "closes (code:count)");
        r.put("server_deliveries", tally.received(), "server deliveries in window (all members)");
        CpuSnapshot.report(r, "", windowCpu0, windowCpu1, tally.received(), "delivery");
        r.put("server_rss_mb", serverRss < 0 ? -1 : FanoutScenario.round(serverRss / 1024.0), "server RSS (MiB)");
        r.put("server_threads", serverThreads);
        r.put("cores", Runtime.getRuntime().availableProcessors());
        return r;
    }

    private static RoomDeliveries tally(boolean[] joined, WsConnection[] connections, long[] sentInWindow) {
        long[] received = new long[connections.length];
        for (int i = 0; i < connections.length; i++) {
            if (joined[i]) {
                received[i] = connections[i].stats.inWindow();
            }
        }
        return RoomDeliveries.count(connections.length / sentInWindow.length, sentInWindow, joined, received);
    }

    /** Waits until no member misses anything, progress stops for a while, or the deadline. */
    private static RoomDeliveries drain(boolean[] joined, WsConnection[] connections, long[] sentInWindow,
                                        long deadline) throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            RoomDeliveries t = tally(joined, connections, sentInWindow);
            long now = System.nanoTime();
            if (t.missing() == 0 || now - deadline >= 0) {
                return t;
            }
            if (t.received() != last) {
                last = t.received();
                lastChange = now;
            } else if (now - lastChange > QUIET_NANOS) {
                return t;
            }
            Thread.sleep(20);
        }
    }
}
