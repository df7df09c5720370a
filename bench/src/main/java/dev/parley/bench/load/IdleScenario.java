package dev.parley.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opens N connections, optionally joins them to rooms of M members, and holds them, answering
 * the server's pings, while sampling the server's resident memory: what an idle connection
 * costs, and how fast the server accepts a crowd (connect time is measured in every mode).
 * After a settle period it reads the server's CPU over a window of the hold: what a crowd that
 * says nothing costs the server (timers, heartbeats, housekeeping), in cores.
 */
final class IdleScenario {

    /** Idle connections receive little: a small buffer keeps 15,000 of them cheap here. */
    private static final int BUFFER_BYTES = 1024;

    private final LoadOptions o;

    IdleScenario(LoadOptions options) {
        this.o = options;
    }

    Report run() throws Exception {
        int n = o.connections;
        Window window = new Window();
        WsConnection[] connections = new WsConnection[n];
        ServerProbe server = o.serverPids.length > 0 ? new ServerProbe(o.serverPids) : null;
        long rssBefore = server == null ? -1 : server.rssKib();
        ReadDriver driver = new ReadDriver(o.io, o.reactors);

        CpuSnapshot connectCpu0 = CpuSnapshot.take(server);
        Phase.Outcome connect = Phase.run("connect", n, o.connectConcurrency, o.connectTimeoutSeconds, i -> {
            PeerStats stats = new PeerStats(window, false, 0);
            WsConnection c = WsConnection.greeted(o.url(i), i, stats, 0, BUFFER_BYTES);
            connections[i] = c;
        });
        CpuSnapshot connectCpu1 = CpuSnapshot.take(server);
        System.err.printf("connected %d of %d in %.0f ms%n", connect.succeeded(), n, connect.elapsedMillis());
        long rssConnected = server == null ? -1 : server.rssKib();

        Phase.Outcome join = null;
        if (o.roomSize > 0) {
            join = Phase.run("join", n, o.connectConcurrency, o.connectTimeoutSeconds, i -> {
                WsConnection c = connections[i];
                if (c == null) {
                    throw new IOException("not connected");
                }
                c.sendText("{\"type\":\"join\",\"room\":\"" + o.room + "-" + (i / o.roomSize)
                        + "\",\"name\":\"i" + i + "\"}");
                c.awaitBlocking(c.stats::joined);
                driver.start(c, 0);
            });
            System.err.printf("joined %d in %.0f ms%n", join.succeeded(), join.elapsedMillis());
        } else {
            for (WsConnection c : connections) {
                if (c != null) {
                    driver.start(c, 0);
                }
            }
        }

        long holdStart = System.nanoTime();
        long holdEnd = holdStart + Sender.secondsToNanos(o.holdSeconds);
        // The idle CPU window: after a settle, so the connect and join work is over; only if it fits.
        boolean idleMeasured = o.idleWindowSeconds > 0 && o.settleSeconds + o.idleWindowSeconds <= o.holdSeconds;
        long idleStart = holdStart + Sender.secondsToNanos(o.settleSeconds);
        long idleEnd = idleStart + Sender.secondsToNanos(o.idleWindowSeconds);
        CpuSnapshot idleCpu0 = null;
        CpuSnapshot idleCpu1 = null;
        long rssMax = Math.max(rssConnected, server == null ? -1 : server.rssKib());
        long now;
        while ((now = System.nanoTime()) - holdEnd < 0) {
            // Wake at the window's edges, else once a second to sample RSS.
            long wake = Math.min(holdEnd, now + TimeUnit.SECONDS.toNanos(1));
            if (idleMeasured && idleCpu0 == null) {
                wake = Math.min(wake, idleStart);
            } else if (idleMeasured && idleCpu1 == null) {
                wake = Math.min(wake, idleEnd);
            }
            FanoutScenario.sleepUntil(wake);
            if (idleMeasured && idleCpu0 == null && System.nanoTime() - idleStart >= 0) {
                idleCpu0 = CpuSnapshot.take(server);
            } else if (idleMeasured && idleCpu0 != null && idleCpu1 == null && System.nanoTime() - idleEnd >= 0) {
                idleCpu1 = CpuSnapshot.take(server);
            }
            if (server != null) {
                rssMax = Math.max(rssMax, server.rssKib());
            }
        }
        long rssHeld = server == null ? -1 : server.rssKib();
        long serverThreads = server == null ? -1 : server.threads();
        List<WsConnection> open = new ArrayList<>();
        for (WsConnection c : connections) {
            if (c != null) {
                open.add(c);
            }
        }
        var closes = FanoutScenario.closes(open);
        long stillOpen = open.stream().filter(c -> !c.isClosed()).count();
        for (WsConnection c : open) {
            c.shutdown();
        }
        driver.stop();

        Report r = new Report();
        r.put("label", o.label).put("mode", "idle").put("io", o.io.name().toLowerCase());
        r.put("connections", n, "connections attempted").put("room_size", o.roomSize, "room size (0 = no join)");
        FanoutScenario.phase(r, "connect", connect, "connections established");
        CpuSnapshot.report(r, "connect_", connectCpu0, connectCpu1, connect.succeeded(), "conn");
        if (join != null) {
            r.put("join_ms", FanoutScenario.round(join.elapsedMillis()), "all joined after (ms)");
            r.put("join_failed", join.failed(), "join failures");
        }
        r.put("hold_s", o.holdSeconds, "held for (s)");
        r.put("open_after_hold", stillOpen, "still open after the hold");
        r.put("closes", Report.counts(closes), "closed by server (code:count)");
        r.put("server_rss_before_mb", mib(rssBefore), "server RSS before (MiB)");
        r.put("server_rss_connected_mb", mib(rssConnected), "server RSS all connected (MiB)");
        r.put("server_rss_held_mb", mib(rssHeld), "server RSS end of hold (MiB)");
        r.put("server_rss_max_mb", mib(rssMax), "server RSS max (MiB)");
        r.put("server_rss_per_conn_kb", rssBefore < 0 || connect.succeeded() == 0 ? -1
                : FanoutScenario.round((double) (rssHeld - rssBefore) / connect.succeeded()),
                "server RSS per connection (KiB)");
        r.put("server_threads", serverThreads, "server threads (platform)");
        r.put("idle_settle_s", o.settleSeconds);
        r.put("idle_window_s", idleCpu1 == null ? 0 : o.idleWindowSeconds,
                "idle CPU window (s; 0 = not measured: settle + window > hold)");
        r.put("idle_server_cores", idleCpu1 == null ? -1 : idleCores(idleCpu0.serverNanos(), idleCpu1.serverNanos(),
                idleCpu1.at() - idleCpu0.at()), "server CPU while idle (cores)");
        if (idleCpu1 != null) {
            CpuSnapshot.report(r, "idle_", idleCpu0, idleCpu1, open.size(), "conn");
        }
        return r;
    }

    /**
     * Cores a process kept busy over a window: CPU seconds / wall seconds, from two readings of
     * its utime + stime; -1 if either reading failed.
     */
    static double idleCores(long cpuNanos0, long cpuNanos1, long wallNanos) {
        if (cpuNanos0 < 0 || cpuNanos1 < 0 || wallNanos <= 0) {
            return -1;
        }
        return Math.round((double) (cpuNanos1 - cpuNanos0) / wallNanos * 10_000) / 10_000.0;
    }

    private static double mib(long kib) {
        return kib < 0 ? -1 : FanoutScenario.round(kib / 1024.0);
    }
}
