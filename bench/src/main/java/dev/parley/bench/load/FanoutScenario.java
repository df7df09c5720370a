package dev.parley.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;

/**
 * N receivers and S senders in one room; the senders publish R messages a second in total for a
 * warm-up and then a measured window; every receiver times each delivery from its stamp.
 *
 * <p>Phases: connect all (handshake + hello), join all (each starts reading as soon as it has
 * joined, so presence traffic never backs up), send, drain, then read what the stalled
 * receivers still hold to learn how the server closed them, and report.
 */
final class FanoutScenario {

    /** A drain ends early when nothing new arrived for this long: the rest is lost, not late. */
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** The first message is due this long after the last join, so no send races a join. */
    private static final long LEAD_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int BUFFER_BYTES = 16 << 10;

    private final LoadOptions o;

    FanoutScenario(LoadOptions options) {
        this.o = options;
    }

    Report run() throws Exception {
        int n = o.receivers;
        int s = o.senders;
        int firstStalled = n - o.stalled;
        Window window = new Window();
        WsConnection[] receivers = new WsConnection[n];
        WsConnection[] senderConnections = new WsConnection[s];
        ServerProbe server = o.serverPids.length > 0 ? new ServerProbe(o.serverPids) : null;
        ServerProbe redis = o.redisPid > 0 ? new ServerProbe(o.redisPid) : null;
        ReadDriver driver = new ReadDriver(o.io, o.reactors);

        CpuSnapshot connectCpu0 = CpuSnapshot.take(server);
        Phase.Outcome connect = Phase.run("connect", n + s, o.connectConcurrency, o.connectTimeoutSeconds, i -> {
            boolean sender = i >= n;
            PeerStats stats = sender ? new PeerStats(window, false, 0) : new PeerStats(window, true, s);
            int rcvbuf = !sender && i >= firstStalled ? o.stalledReceiveBuffer : 0;
            WsConnection c = WsConnection.greeted(o.url(i), i, stats, rcvbuf, BUFFER_BYTES);
            if (sender) {
                senderConnections[i - n] = c;
            } else {
                receivers[i] = c;
            }
        });
        CpuSnapshot connectCpu1 = CpuSnapshot.take(server);
        System.err.printf("connected %d of %d in %.0f ms%n", connect.succeeded(), n + s, connect.elapsedMillis());

        Phase.Outcome join = Phase.run("join", n + s, o.connectConcurrency, o.connectTimeoutSeconds, i -> {
            boolean sender = i >= n;
            WsConnection c = sender ? senderConnections[i - n] : receivers[i];
            if (c == null) {
                throw new IOException("not connected");
            }
            String name = sender ? "s" + (i - n) : "r" + i;
            try {
                c.sendText("{\"type\":\"join\",\"room\":\"" + o.room + "\",\"name\":\"" + name + "\"}");
                c.awaitBlocking(c.stats::joined);
            } catch (IOException | RuntimeException e) {
                c.shutdown();
                if (sender) {
                    senderConnections[i - n] = null;
                } else {
                    receivers[i] = null;
                }
                throw e;
            }
            if (sender) {
                driver.startOwnThread(c);
            } else {
                driver.start(c, i >= firstStalled ? 1 : 0);
            }
        });
        System.err.printf("joined %d in %.0f ms%n", join.succeeded(), join.elapsedMillis());
        for (WsConnection c : senderConnections) {
            if (c == null) {
                closeAll(receivers, senderConnections, driver);
                throw new IllegalStateException("a sender could not connect and join: "
                        + connect.failures() + " " + join.failures());
            }
        }
        List<WsConnection> healthy = new ArrayList<>();
        List<WsConnection> stalled = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (receivers[i] != null) {
                (i >= firstStalled ? stalled : healthy).add(receivers[i]);
            }
        }

        long t0 = System.nanoTime() + LEAD_NANOS;
        long windowStart = t0 + Sender.secondsToNanos(o.warmupSeconds);
        long windowEnd = windowStart + Sender.secondsToNanos(o.durationSeconds);
        window.set(windowStart, windowEnd);
        Sender[] senders = new Sender[s];
        Thread[] sending = new Thread[s];
        for (int i = 0; i < s; i++) {
            senders[i] = new Sender(i, s, o.rate, t0, windowEnd, window, senderConnections[i], o.room, o.textBytes);
            sending[i] = Thread.ofVirtual().name("sender-" + i).start(senders[i]);
        }
        System.err.printf("sending %.0f msg/s: warm-up %.1f s, measured %.1f s%n", o.rate, o.warmupSeconds,
                o.durationSeconds);

        sleepUntil(windowStart);
        stalled.forEach(WsConnection::pauseReading);
        CpuSnapshot windowCpu0 = CpuSnapshot.take(server, redis);
        sleepUntil(windowEnd);
        CpuSnapshot windowCpu1 = CpuSnapshot.take(server, redis);

        for (int i = 0; i < s; i++) {
            // A sender blocked in a write to a server that stopped reading it must not hang the run.
            if (!sending[i].join(java.time.Duration.ofSeconds(5))) {
                senderConnections[i].shutdown();
                sending[i].join();
            }
        }
        long sentInWindow = 0;
        long sentTotal = 0;
        Histogram lag = new Histogram(PeerStats.MAX_LATENCY_MICROS, 3);
        List<String> senderFailures = new ArrayList<>();
        for (Sender sender : senders) {
            sentInWindow += sender.sentInWindow();
            sentTotal += sender.sent();
            lag.add(sender.lagMicros());
            if (sender.failure() != null) {
                senderFailures.add(sender.failure());
            }
        }

        long expected = sentInWindow * healthy.size();
        long drainStart = System.nanoTime();
        drain(healthy, expected, drainStart + Sender.secondsToNanos(o.drainSeconds));
        long drainNanos = System.nanoTime() - drainStart;
        Map<Integer, Integer> closesHealthy = closes(healthy);
        Map<Integer, Integer> closesSenders = closes(List.of(senderConnections));

        // Stalled receivers now read what the kernel kept for them, then the close frame or EOF.
        stalled.forEach(WsConnection::resumeReading);
        drain(stalled, sentInWindow * stalled.size(), System.nanoTime() + Sender.secondsToNanos(5));
        Map<Integer, Integer> closesStalled = closes(stalled);
        long serverRss = server == null ? -1 : server.rssKib();
        long serverThreads = server == null ? -1 : server.threads();
        closeAll(receivers, senderConnections, driver);

        long received = sum(healthy);
        long stalledReceived = sum(stalled);
        long senderDeliveries = sum(List.of(senderConnections));
        long serverDeliveries = received + stalledReceived + senderDeliveries;
        Histogram latency = merge(healthy);
        Histogram stalledLatency = merge(stalled);
        long gaps = 0;
        long reorders = 0;
        long reads = 0;
        long frames = 0;
        long deliveriesAll = 0;
        long acks = 0;
        Map<String, Integer> errors = new TreeMap<>();
        for (WsConnection c : receivers) {
            if (c != null) {
                gaps += c.stats.gaps();
                reorders += c.stats.reorders();
                reads += c.stats.reads();
                frames += c.stats.frames();
                deliveriesAll += c.stats.inWindow() + c.stats.outOfWindow() + c.stats.foreign();
                c.stats.errors().forEach((k, v) -> errors.merge(k, v, Integer::sum));
            }
        }
        for (WsConnection c : senderConnections) {
            acks += c.stats.acks();
            c.stats.errors().forEach((k, v) -> errors.merge(k, v, Integer::sum));
        }
        double windowSeconds = (windowEnd - windowStart) / 1e9;

        Report r = new Report();
        r.put("label", o.label).put("mode", "fanout").put("io", o.io.name().toLowerCase());
        r.put("receivers", n, "receivers (stalled included)").put("stalled", o.stalled, "stalled receivers");
        r.put("senders", s, "senders").put("rate", o.rate, "target rate (msg/s)");
        r.put("warmup_s", o.warmupSeconds).put("duration_s", o.durationSeconds, "measured window (s)");
        r.put("text_bytes", o.textBytes);
        if (o.urls.size() > 1) {
            r.put("nodes", o.urls.size(), "server nodes (connections spread evenly)");
        }
        phase(r, "connect", connect, "connections established");
        CpuSnapshot.report(r, "connect_", connectCpu0, connectCpu1, connect.succeeded(), "conn");
        r.put("join_ms", round(join.elapsedMillis()), "all joined after (ms)");
        r.put("join_failed", join.failed());
        r.put("sent", sentInWindow, "messages sent in window").put("sent_total", sentTotal);
        r.put("achieved_rate", round(sentInWindow / windowSeconds), "achieved send rate (msg/s)");
        r.put("send_lag_p99_ms", Report.ms(lag.getValueAtPercentile(99)), "send lag p99 (ms)");
        r.put("send_lag_max_ms", Report.ms(lag.getMaxValue()), "send lag max (ms)");
        r.put("acks", acks, "acks (all sends)").put("errors", Report.counts(errors), "server errors");
        r.put("sender_failures", String.join("; ", senderFailures));
        r.put("expected", expected, "deliveries expected (healthy)");
        r.put("received", received, "deliveries received (healthy)");
        r.put("delivered_pct", expected == 0 ? 0 : round(100.0 * received / expected), "delivered (%)");
        r.put("delivered_per_s", Math.round(received / windowSeconds), "delivered/s (healthy)");
        r.latency("lat", latency, "latency healthy");
        r.put("gaps", gaps, "seq gaps (all receivers)").put("reorders", reorders, "duplicates/reorders");
        // Over the whole run (presence and warm-up included), all receivers.
        r.put("deliveries_per_frame", frames == 0 ? 0 : round((double) deliveriesAll / frames),
                "messages per frame (server coalescing)");
        r.put("deliveries_per_read", reads == 0 ? 0 : round((double) deliveriesAll / reads), "messages per socket read");
        r.put("drain_ms", round(drainNanos / 1e6), "drain after window (ms)");
        r.put("stalled_expected", sentInWindow * stalled.size()).put("stalled_received", stalledReceived,
                "deliveries to stalled");
        r.latency("stalled_lat", stalledLatency, "latency stalled");
        r.put("closes_healthy", Report.counts(closesHealthy), "closes healthy (code:count)");
        r.put("closes_stalled", Report.counts(closesStalled), "closes stalled (code:count)");
        r.put("closes_senders", Report.counts(closesSenders), "closes senders (code:count)");
        r.put("server_deliveries", serverDeliveries, "server deliveries in window (all members)");
        CpuSnapshot.report(r, "", windowCpu0, windowCpu1, serverDeliveries, "delivery");
        if (redis != null) {
            CpuSnapshot.reportRedis(r, windowCpu0, windowCpu1, sentInWindow);
        }
        r.put("server_rss_mb", serverRss < 0 ? -1 : round(serverRss / 1024.0), "server RSS (MiB)");
        r.put("server_threads", serverThreads);
        r.put("cores", Runtime.getRuntime().availableProcessors());
        return r;
    }

    static void phase(Report r, String name, Phase.Outcome p, String label) {
        r.put(name + "_ok", p.succeeded(), label).put(name + "_failed", p.failed(), name + " failures");
        r.put(name + "_failures", Report.counts(p.failures()));
        r.put(name + "_ms", round(p.elapsedMillis()), "all " + name + "ed after (ms)");
        r.latency(name, p.micros(), "per " + name);
    }

    /** Waits until {@code group} has {@code expected} in-window deliveries, it goes quiet, or the deadline. */
    private static void drain(List<WsConnection> group, long expected, long deadline) throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long got = sum(group);
            long now = System.nanoTime();
            if (got >= expected || now - deadline >= 0 || allClosed(group)) {
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

    private static boolean allClosed(List<WsConnection> group) {
        for (WsConnection c : group) {
            if (!c.isClosed()) {
                return false;
            }
        }
        return true;
    }

    private static long sum(List<WsConnection> group) {
        long total = 0;
        for (WsConnection c : group) {
            total += c.stats.inWindow();
        }
        return total;
    }

    static Map<Integer, Integer> closes(List<WsConnection> group) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (WsConnection c : group) {
            if (c.stats.closeCode() != 0) {
                m.merge(c.stats.closeCode(), 1, Integer::sum);
            }
        }
        return m;
    }

    /** Adds up the group's histograms, each once: reactors share one among many connections. */
    static Histogram merge(List<WsConnection> group) {
        Histogram h = new Histogram(PeerStats.MAX_LATENCY_MICROS, 3);
        Set<AbstractHistogram> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (WsConnection c : group) {
            AbstractHistogram own = c.stats.latency();
            if (own != null && seen.add(own)) {
                h.add(own);
            }
        }
        return h;
    }

    private static void closeAll(WsConnection[] a, WsConnection[] b, ReadDriver driver) throws InterruptedException {
        for (WsConnection[] group : List.of(a, b)) {
            for (WsConnection c : group) {
                if (c != null) {
                    c.shutdown();
                }
            }
        }
        driver.stop();
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }
}
