package dev.parley.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How many messages a second the servers (and the broker behind them) accept: S senders publish
 * to R rooms as fast as acks return, each with at most {@code --in-flight} sends awaiting their
 * reply, and the run counts the acks that arrive in the measured window.
 *
 * <p>The senders are the rooms' only members (a send needs a join): with R >= S sender i joins
 * the rooms r with r mod S = i and each room has one member; with R < S sender i joins room
 * i mod R and a message reaches every sender in that room. Connection i uses URL i mod n, so
 * on two nodes a room of several senders has members on both.
 */
final class PublishScenario {

    /** A drain ends early when nothing new arrived for this long: the rest is lost, not late. */
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int BUFFER_BYTES = 16 << 10;

    private final LoadOptions o;

    PublishScenario(LoadOptions options) {
        this.o = options;
    }

    /** The rooms sender {@code i} of {@code senders} joins and publishes to, in turn. */
    static String[] roomsOf(LoadOptions o, int i) {
        if (o.rooms < o.senders) {
            return new String[] {o.room(i % o.rooms)};
        }
        List<String> mine = new ArrayList<>();
        for (int r = i; r < o.rooms; r += o.senders) {
            mine.add(o.room(r));
        }
        return mine.toArray(String[]::new);
    }

    /** Members of each room sender {@code i} publishes to: itself, or all senders sharing its room. */
    static int membersPerMessage(LoadOptions o, int i) {
        if (o.rooms >= o.senders) {
            return 1;
        }
        int room = i % o.rooms;
        return o.senders / o.rooms + (room < o.senders % o.rooms ? 1 : 0);
    }

    Report run() throws Exception {
        int s = o.senders;
        Window window = new Window();
        WsConnection[] connections = new WsConnection[s];
        Semaphore[] inFlight = new Semaphore[s];
        String[][] rooms = new String[s][];
        for (int i = 0; i < s; i++) {
            inFlight[i] = new Semaphore(o.inFlight);
            rooms[i] = roomsOf(o, i);
        }
        ServerProbe server = o.serverPids.length > 0 ? new ServerProbe(o.serverPids) : null;
        ServerProbe redis = o.redisPid > 0 ? new ServerProbe(o.redisPid) : null;
        // Each sender is read by its own virtual thread: no reactor is needed for a few connections.
        ReadDriver driver = new ReadDriver(LoadOptions.Io.VT, 0);

        Phase.Outcome connect = Phase.run("connect", s, o.connectConcurrency, o.connectTimeoutSeconds, i -> {
            // Timed: how long a member's copy takes (send to delivery) shows a backlog that acks do not.
            PeerStats stats = new PeerStats(window, true, 0, inFlight[i]);
            WsConnection c = WsConnection.greeted(o.url(i), i, stats, 0, BUFFER_BYTES);
            connections[i] = c;
        });
        Phase.Outcome join = Phase.run("join", s, o.connectConcurrency, o.connectTimeoutSeconds, i -> {
            WsConnection c = connections[i];
            if (c == null) {
                throw new IOException("not connected");
            }
            try {
                for (String room : rooms[i]) {
                    c.sendText("{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"p" + i + "\"}");
                }
                c.awaitBlocking(() -> c.stats.joins() >= rooms[i].length);
            } catch (IOException | RuntimeException e) {
                c.shutdown();
                connections[i] = null;
                throw e;
            }
            driver.startOwnThread(c);
        });
        System.err.printf("%d senders joined %d rooms in %.0f ms%n", join.succeeded(), o.rooms, join.elapsedMillis());
        for (WsConnection c : connections) {
            if (c == null) {
                closeAll(connections, driver);
                throw new IllegalStateException("a sender could not connect and join: "
                        + connect.failures() + " " + join.failures());
            }
        }

        long t0 = System.nanoTime();
        long windowStart = t0 + Sender.secondsToNanos(o.warmupSeconds);
        long windowEnd = windowStart + Sender.secondsToNanos(o.durationSeconds);
        window.set(windowStart, windowEnd);
        Publisher[] publishers = new Publisher[s];
        Thread[] publishing = new Thread[s];
        for (int i = 0; i < s; i++) {
            publishers[i] = new Publisher(i, rooms[i], inFlight[i], windowEnd, connections[i], o.textBytes);
            publishing[i] = Thread.ofVirtual().name("publisher-" + i).start(publishers[i]);
        }
        System.err.printf("publishing to %d rooms, %d in flight per sender: warm-up %.1f s, measured %.1f s%n",
                o.rooms, o.inFlight, o.warmupSeconds, o.durationSeconds);

        FanoutScenario.sleepUntil(windowStart);
        CpuSnapshot cpu0 = CpuSnapshot.take(server, redis);
        long acks0 = acks(connections);
        FanoutScenario.sleepUntil(windowEnd);
        CpuSnapshot cpu1 = CpuSnapshot.take(server, redis);
        long acks1 = acks(connections);

        for (int i = 0; i < s; i++) {
            // A publisher blocked in a write to a server that stopped reading it must not hang the run.
            if (!publishing[i].join(java.time.Duration.ofSeconds(5))) {
                connections[i].shutdown();
                publishing[i].join();
            }
        }
        long sent = 0;
        List<String> failures = new ArrayList<>();
        for (Publisher p : publishers) {
            sent += p.sent();
            if (p.failure() != null) {
                failures.add(p.failure());
            }
        }
        long drainStart = System.nanoTime();
        drain(connections, inFlight, drainStart + DRAIN_NANOS);
        long drainNanos = System.nanoTime() - drainStart;
        Map<Integer, Integer> closes = FanoutScenario.closes(List.of(connections));
        long rss = server == null ? -1 : server.rssKib();
        long threads = server == null ? -1 : server.threads();
        closeAll(connections, driver);

        long acksTotal = 0;
        long errorCount = 0;
        long expected = 0;
        long received = 0;
        long inWindow = 0;
        Map<String, Integer> errors = new TreeMap<>();
        for (int i = 0; i < s; i++) {
            PeerStats st = connections[i].stats;
            acksTotal += st.acks();
            expected += st.acks() * membersPerMessage(o, i);
            received += st.inWindow() + st.outOfWindow();
            inWindow += st.inWindow();
            st.errors().forEach((k, v) -> errors.merge(k, v, Integer::sum));
        }
        for (int v : errors.values()) {
            errorCount += v;
        }
        long published = acks1 - acks0;
        double windowSeconds = (cpu1.at() - cpu0.at()) / 1e9;
        double perSecond = published / windowSeconds;

        Report r = new Report();
        r.put("label", o.label).put("mode", "publish");
        r.put("nodes", o.urls.size(), "server nodes (connections spread evenly)");
        r.put("senders", s, "senders").put("rooms", o.rooms, "rooms");
        r.put("rooms_per_sender", rooms[0].length, "rooms per sender (sender 0)");
        r.put("in_flight", o.inFlight, "sends in flight per sender");
        r.put("warmup_s", o.warmupSeconds).put("duration_s", o.durationSeconds, "measured window (s)");
        r.put("text_bytes", o.textBytes);
        FanoutScenario.phase(r, "connect", connect, "connections established");
        r.put("join_ms", FanoutScenario.round(join.elapsedMillis()), "all rooms joined after (ms)");
        r.put("join_failed", join.failed());
        r.put("published", published, "publishes acked in window");
        r.put("acked_per_s", FanoutScenario.round(perSecond), "acked publishes/s");
        // Little's law: with every window full, the mean time a send waits for its ack.
        r.put("ack_mean_ms", published == 0 ? -1 : FanoutScenario.round(1000.0 * s * o.inFlight / perSecond),
                "mean time to ack (ms, from in-flight / rate)");
        r.put("sent_total", sent, "sends (whole run)").put("acks", acksTotal, "acks (whole run)");
        r.put("unanswered", sent - acksTotal - errorCount, "sends without ack or error after the drain");
        r.put("errors", Report.counts(errors), "server errors");
        r.put("sender_failures", String.join("; ", failures));
        r.put("expected", expected, "member deliveries expected (acked × members)");
        r.put("received", received, "member deliveries received");
        r.put("delivered_pct", expected == 0 ? 0 : FanoutScenario.round(100.0 * received / expected),
                "delivered (%)");
        r.put("drain_ms", FanoutScenario.round(drainNanos / 1e6), "drain after window (ms)");
        r.put("closes_senders", Report.counts(closes), "closes senders (code:count)");
        r.latency("lat", FanoutScenario.merge(List.of(connections)), "member delivery latency (from the send)");
        r.put("server_deliveries", inWindow, "member deliveries of messages sent in window");
        CpuSnapshot.report(r, "", cpu0, cpu1, published, "publish");
        if (redis != null) {
            CpuSnapshot.reportRedis(r, cpu0, cpu1, published);
        }
        r.put("server_rss_mb", rss < 0 ? -1 : FanoutScenario.round(rss / 1024.0), "server RSS (MiB)");
        r.put("server_threads", threads);
        r.put("cores", Runtime.getRuntime().availableProcessors());
        return r;
    }

    private static long acks(WsConnection[] connections) {
        long total = 0;
        for (WsConnection c : connections) {
            total += c.stats.acks();
        }
        return total;
    }

    /** Waits until every send has its reply and every member its copy, it goes quiet, or the deadline. */
    private void drain(WsConnection[] connections, Semaphore[] inFlight, long deadline) throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            boolean answered = true;
            long expected = 0;
            long got = 0;
            for (int i = 0; i < connections.length; i++) {
                PeerStats st = connections[i].stats;
                answered &= inFlight[i].availablePermits() >= o.inFlight || connections[i].isClosed();
                expected += st.acks() * membersPerMessage(o, i);
                got += st.inWindow() + st.outOfWindow();
            }
            long now = System.nanoTime();
            if ((answered && got >= expected) || now - deadline >= 0) {
                return;
            }
            long progress = got + expected;
            if (progress != last) {
                last = progress;
                lastChange = now;
            } else if (now - lastChange > QUIET_NANOS) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private static void closeAll(WsConnection[] connections, ReadDriver driver) throws InterruptedException {
        for (WsConnection c : connections) {
            if (c != null) {
                c.shutdown();
            }
        }
        driver.stop();
    }
}
