package dev.parley.bench.load;

import java.net.URI;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Command-line options of a load run; every one has a default sized for this project's targets. */
final class LoadOptions {

    enum Mode { FANOUT, IDLE, PUBLISH, ROOMS, JOINSTORM }

    enum Io { NIO, VT }

    /**
     * One URL per server node; connection i uses {@code urls.get(i % urls.size())}, so receivers
     * and senders alike are spread evenly over the nodes of one deployment.
     */
    List<URI> urls = List.of(URI.create("ws://127.0.0.1:8080/ws"));
    Mode mode = Mode.FANOUT;
    Io io = Io.NIO;
    /** Fan-out: receiving connections (stalled ones included). */
    int receivers = 1000;
    int senders = 10;
    /** Total messages per second across all senders. */
    double rate = 400;
    double warmupSeconds = 5;
    double durationSeconds = 20;
    /** The last {@code stalled} receivers stop reading at the start of the measured window. */
    int stalled = 0;
    /** SO_RCVBUF of stalled receivers, so their TCP window closes after a few kilobytes. */
    int stalledReceiveBuffer = 4096;
    /** Length of each message's text, stamp included (the stamp is about 40 characters). */
    int textBytes = 64;
    /** A fresh room name per run: a reused room would replay an earlier run's history. */
    String room = "bench-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    int reactors = 2;
    int connectConcurrency = 200;
    double connectTimeoutSeconds = 120;
    /** After the window: how long healthy receivers may take to get everything. */
    double drainSeconds = 10;
    /** Idle: connections to open and hold. Join storm: clients joining the one room (10,000 there). */
    int connections = 15_000;
    double holdSeconds = 30;
    /** Idle: after all are connected (and joined), wait this long before the idle CPU window... */
    double settleSeconds = 10;
    /** ...and read the server's CPU over this long; measured only if settle + window fit in the hold. */
    double idleWindowSeconds = 15;
    /** Idle: 0 = connections join no room; M = they join rooms of M members each. */
    int roomSize = 0;
    /**
     * Publish: rooms the senders publish to (the senders are their only members). Rooms: rooms
     * of {@link #members} connections each (2,000 there).
     */
    int rooms = 1;
    /** Rooms: connections per room, the room's one sender included. */
    int members = 5;
    /** Rooms: messages a second each room's sender sends. */
    double roomRate = 1;
    /** Publish: sends per sender awaiting their ack (or error) before the next may go. */
    int inFlight = 32;
    /** Server processes (one per node) for CPU and RSS sampling from /proc, summed; empty = none. */
    long[] serverPids = new long[0];
    /** The Redis the nodes share, for its CPU per published message; 0 = none. */
    long redisPid = 0;
    /** Free text copied into the JSON summary, e.g. the scenario name of run-load.sh. */
    String label = "";
    /** Options given on the command line, so a mode's own defaults do not override them. */
    private final Set<String> given = new HashSet<>();

    static LoadOptions parse(String[] args) {
        LoadOptions o = new LoadOptions();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name;
            String value;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(2, eq);
                value = arg.substring(eq + 1);
            } else if (arg.startsWith("--")) {
                name = arg.substring(2);
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + arg);
                }
                value = args[++i];
            } else {
                throw new IllegalArgumentException("unexpected argument " + arg);
            }
            o.set(name, value);
            o.given.add(name);
        }
        o.applyModeDefaults();
        o.validate();
        return o;
    }

    private void set(String name, String v) {
        switch (name) {
            case "url" -> urls = Arrays.stream(v.split(",")).map(String::trim).map(URI::create).toList();
            case "mode" -> mode = Mode.valueOf(v.toUpperCase());
            case "io" -> io = Io.valueOf(v.toUpperCase());
            case "receivers" -> receivers = Integer.parseInt(v);
            case "senders" -> senders = Integer.parseInt(v);
            case "rate" -> rate = Double.parseDouble(v);
            case "warmup" -> warmupSeconds = Double.parseDouble(v);
            case "duration" -> durationSeconds = Double.parseDouble(v);
            case "stalled" -> stalled = Integer.parseInt(v);
            case "stalled-rcvbuf" -> stalledReceiveBuffer = Integer.parseInt(v);
            case "text-bytes" -> textBytes = Integer.parseInt(v);
            case "room" -> room = v;
            case "reactors" -> reactors = Integer.parseInt(v);
            case "connect-concurrency" -> connectConcurrency = Integer.parseInt(v);
            case "connect-timeout" -> connectTimeoutSeconds = Double.parseDouble(v);
            case "drain" -> drainSeconds = Double.parseDouble(v);
            case "connections" -> connections = Integer.parseInt(v);
            case "hold" -> holdSeconds = Double.parseDouble(v);
            case "room-size" -> roomSize = Integer.parseInt(v);
            case "settle" -> settleSeconds = Double.parseDouble(v);
            case "idle-window" -> idleWindowSeconds = Double.parseDouble(v);
            case "members" -> members = Integer.parseInt(v);
            case "room-rate" -> roomRate = Double.parseDouble(v);
            case "rooms" -> rooms = Integer.parseInt(v);
            case "in-flight" -> inFlight = Integer.parseInt(v);
            case "server-pid" -> serverPids = Arrays.stream(v.split(",")).map(String::trim)
                    .mapToLong(Long::parseLong).toArray();
            case "redis-pid" -> redisPid = Long.parseLong(v);
            case "label" -> label = v;
            default -> throw new IllegalArgumentException("unknown option --" + name);
        }
    }

    /**
     * Defaults that differ by mode, for what was not given: a rooms run is 2,000 rooms by default
     * (publish: 1), a join storm 10,000 clients with 100 handshakes and joins in flight (idle:
     * 15,000 connections, 200 connects in flight).
     */
    private void applyModeDefaults() {
        switch (mode) {
            case ROOMS -> defaultTo("rooms", () -> rooms = 2000);
            case JOINSTORM -> {
                defaultTo("connections", () -> connections = 10_000);
                defaultTo("connect-concurrency", () -> connectConcurrency = 100);
            }
            default -> {
                // the field defaults are this mode's
            }
        }
    }

    private void defaultTo(String option, Runnable apply) {
        if (!given.contains(option)) {
            apply.run();
        }
    }

    private void validate() {
        for (URI url : urls) {
            if (!"ws".equals(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("--url must be ws://host:port/path[,ws://…] (plain WebSocket; "
                        + "point it at the plain-text upstream of a TLS proxy), not " + url);
            }
        }
        if (rooms < 1 || rooms > 100_000 || inFlight < 1 || redisPid < 0) {
            throw new IllegalArgumentException("need 1 <= rooms <= 100000, in-flight >= 1");
        }
        for (long pid : serverPids) {
            if (pid <= 0) {
                throw new IllegalArgumentException("--server-pid takes positive process ids, comma-separated");
            }
        }
        if (receivers < 0 || senders < 1 || rate <= 0 || durationSeconds <= 0 || warmupSeconds < 0) {
            throw new IllegalArgumentException("need receivers >= 0, senders >= 1, rate > 0, duration > 0");
        }
        if (stalled < 0 || stalled > receivers) {
            throw new IllegalArgumentException("--stalled must be between 0 and --receivers");
        }
        if (!room(rooms - 1).matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("--room must match [A-Za-z0-9_.-]{1,64}");
        }
        if (textBytes < 48 || textBytes > 4000) {
            throw new IllegalArgumentException("--text-bytes must be 48..4000 (the stamp needs up to 48)");
        }
        if (reactors < 1 || connectConcurrency < 1 || connections < 1 || roomSize < 0) {
            throw new IllegalArgumentException("reactors, connect-concurrency, connections must be >= 1");
        }
        if (members < 1 || (long) rooms * members > 1_000_000 || !(roomRate > 0)) {
            throw new IllegalArgumentException("need members >= 1, rooms × members <= 1000000, room-rate > 0");
        }
        if (settleSeconds < 0 || idleWindowSeconds < 0 || holdSeconds < 0 || drainSeconds < 0) {
            throw new IllegalArgumentException("hold, settle, idle-window and drain must be >= 0");
        }
    }

    /** Rooms mode: connections in all, {@code rooms × members}. */
    int roomConnections() {
        return rooms * members;
    }

    /** The URL connection {@code i} uses: the nodes in turn. */
    URI url(int i) {
        return urls.get(i % urls.size());
    }

    /** The n-th room of a publish run; with {@code --rooms 1} just {@link #room}. */
    String room(int n) {
        return rooms == 1 ? room : room + "-" + n;
    }

    static String usage() {
        return """
                usage: java -jar parley-load.jar [options]
                       java -jar parley-load.jar summarize FILE.jsonl...
                       java -jar parley-load.jar free-port
                       java -jar parley-load.jar calibration-server --port P

                common:  --url ws://127.0.0.1:8080/ws[,ws://…] (several nodes: connection i uses url i mod n)
                         --mode fanout|idle|publish|rooms|joinstorm  --io nio|vt
                         --reactors 2  --connect-concurrency 200  --connect-timeout 120
                         --server-pid PID[,PID…] (sample CPU and RSS from /proc, summed over the nodes)
                         --redis-pid PID (the shared Redis: its CPU per published message)  --label TEXT
                fanout:  --receivers 1000 --senders 10 --rate 400 (messages/s, all senders)
                         --warmup 5 --duration 20 (seconds)  --stalled 0 --stalled-rcvbuf 4096
                         --text-bytes 64  --room bench-<random>  --drain 10
                idle:    --connections 15000  --hold 30 (seconds)  --room-size 0 (0 = no join)
                         --settle 10 --idle-window 15 (server CPU over the window, if it fits in the hold)
                publish: --senders 10 --rooms 1 --in-flight 32 (sends awaiting their ack, per sender)
                         --warmup 5 --duration 20  --text-bytes 64  --room bench-<random> (prefix)
                         every sender joins its share of the rooms and publishes as fast as acks return
                rooms:   --rooms 2000 --members 5 (each connection joins one room; member 0 sends)
                         --room-rate 1 (messages/s per room, each room at its own random phase)
                         --warmup 5 --duration 20  --text-bytes 64  --room bench-<random> (prefix)  --drain 10
                joinstorm: --connections 10000 --connect-concurrency 100 (clients in handshake or join)
                         --room bench-<random>  --drain 10 (for the join presence to reach everyone)

                The server's per-connection send limit must exceed rate/senders, e.g. start it with
                -Dparley.rate.per-second=1000 -Dparley.rate.burst=2000.
                """;
    }
}
