package dev.parley.bench.load;

/**
 * CPU time of the server nodes, of the Redis they share, of this generator and of the whole
 * machine at one instant. Two of them bracket a phase and say how its CPU was split, including
 * what other processes took: on a shared 2-core machine that is the first thing to check when a
 * figure looks wrong.
 */
record CpuSnapshot(long serverNanos, long redisNanos, long selfNanos, long machineNanos, long at) {

    private static final ServerProbe SELF = ServerProbe.self();

    /** {@code server} may be null (no --server-pid): its figures are then reported as -1. */
    static CpuSnapshot take(ServerProbe server) {
        return take(server, null);
    }

    /** {@code redis} may be null (no --redis-pid): then nothing is reported for it. */
    static CpuSnapshot take(ServerProbe server, ServerProbe redis) {
        return new CpuSnapshot(server == null ? -1 : server.cpuNanos(), redis == null ? -1 : redis.cpuNanos(),
                SELF.cpuNanos(), ServerProbe.machineBusyNanos(), System.nanoTime());
    }

    /**
     * Adds {@code <prefix>server_cpu_ms}, {@code _pct} (of one core) and {@code _us_per_<unit>},
     * the same for {@code gen}, and {@code <prefix>others_cpu_pct}: the machine's busy time minus
     * the server's, the generator's and, when it was probed, Redis'.
     */
    static void report(Report r, String prefix, CpuSnapshot a, CpuSnapshot b, long units, String unit) {
        double seconds = (b.at - a.at) / 1e9;
        boolean server = a.serverNanos >= 0 && b.serverNanos >= 0;
        double serverNanos = server ? b.serverNanos - a.serverNanos : -1;
        double selfNanos = b.selfNanos - a.selfNanos;
        double redisNanos = a.redisNanos >= 0 && b.redisNanos >= 0 ? b.redisNanos - a.redisNanos : 0;
        one(r, prefix + "server", server ? serverNanos : -1, seconds, units, unit);
        one(r, prefix + "gen", a.selfNanos >= 0 && b.selfNanos >= 0 ? selfNanos : -1, seconds, units, unit);
        boolean others = server && a.machineNanos >= 0 && b.machineNanos >= 0;
        double otherNanos = Math.max(0, (b.machineNanos - a.machineNanos) - serverNanos - selfNanos - redisNanos);
        r.put(prefix + "others_cpu_pct", others ? FanoutScenario.round(otherNanos / 1e7 / seconds) : -1,
                label(prefix + "other processes'") + " CPU (% of one core)");
    }

    /**
     * Adds {@code redis_cpu_ms}, {@code redis_cpu_pct} and {@code redis_cpu_us_per_message}: Redis'
     * CPU divided by the messages published in the window (each one Lua script and one pub/sub
     * fan-out to the nodes, whatever the number of receivers). -1 if Redis could not be read.
     */
    static void reportRedis(Report r, CpuSnapshot a, CpuSnapshot b, long published) {
        double seconds = (b.at - a.at) / 1e9;
        boolean known = a.redisNanos >= 0 && b.redisNanos >= 0;
        one(r, "redis", known ? b.redisNanos - a.redisNanos : -1, seconds, published, "message");
    }

    private static void one(Report r, String who, double nanos, double seconds, long units, String unit) {
        boolean known = nanos >= 0;
        String name = label(who);
        r.put(who + "_cpu_ms", known ? FanoutScenario.round(nanos / 1e6) : -1, name + " CPU (ms)");
        r.put(who + "_cpu_pct", known ? FanoutScenario.round(nanos / 1e7 / seconds) : -1,
                name + " CPU (% of one core)");
        r.put(who + "_cpu_us_per_" + unit, known && units > 0 ? FanoutScenario.round(nanos / 1e3 / units) : -1,
                name + " CPU per " + unit + " (us)");
    }

    /** "connect_server" reads "connect server" in the human table. */
    private static String label(String key) {
        return key.replace('_', ' ').trim();
    }
}
