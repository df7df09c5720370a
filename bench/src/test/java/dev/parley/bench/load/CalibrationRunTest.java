package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Short real runs of the scenarios over loopback sockets, against the calibration server:
 * every message sent in the window must reach every receiver, stalled ones included once they
 * read again, in order, with both read designs.
 */
@Timeout(60)
class CalibrationRunTest {

    private static int port;

    /** Serves on a port until the test JVM ends. */
    interface Serve {
        void serve(int port) throws IOException;
    }

    @BeforeAll
    static void startServer() throws Exception {
        port = start("calibration-server", CalibrationServer::serve);
    }

    /** Starts a server on a free loopback port, in a daemon thread, and waits until it accepts. */
    static int start(String name, Serve server) throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        Thread thread = Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                server.serve(free);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), free)) {
                return free;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !thread.isAlive()) {
                    throw notYet;
                }
                Thread.sleep(20);
            }
        }
    }

    private static Map<String, Object> run(String... args) throws Exception {
        return run(port, args);
    }

    /** One scenario run against the server on {@code port}: its report, flattened. */
    static Map<String, Object> run(int port, String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--url";
        all[1] = "ws://127.0.0.1:" + port + "/ws";
        System.arraycopy(args, 0, all, 2, args.length);
        LoadOptions options = LoadOptions.parse(all);
        Report report = switch (options.mode) {
            case FANOUT -> new FanoutScenario(options).run();
            case IDLE -> new IdleScenario(options).run();
            case PUBLISH -> new PublishScenario(options).run();
            case ROOMS -> new RoomsScenario(options).run();
            case JOINSTORM -> new JoinStormScenario(options).run();
        };
        return Summarize.parseFlat(report.json());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "vt"})
    void fanOutDeliversEverythingInOrder(String io) throws Exception {
        Map<String, Object> r = run("--io", io, "--receivers", "20", "--stalled", "2", "--senders", "2",
                "--rate", "100", "--warmup", "0.3", "--duration", "1", "--drain", "5");

        assertCompleteFanOut(r);
        assertEquals(130.0, r.get("acks"));
        assertTrue((Double) r.get("lat_p99_ms") >= 0);
    }

    /** The short rooms run (8 rooms × 3 members, 20 msg/s per room for 1 s): every member got every message of its room only. */
    static void assertCompleteRooms(Map<String, Object> r) {
        assertEquals(24.0, r.get("connections"));
        assertEquals(0.0, r.get("join_failed"));
        // 8 rooms × 20 msg/s × 1 s, give or take the one message a room's phase may put on the edge.
        double sent = (Double) r.get("sent");
        assertTrue(sent >= 8 * 19 && sent <= 8 * 21, "sent " + sent);
        assertEquals(3 * sent, r.get("expected"), "every member of the room, the sender included");
        assertEquals(r.get("expected"), r.get("received"));
        assertEquals(0.0, r.get("missing"));
        assertEquals(100.0, r.get("delivered_pct"));
        // Rooms by name: another room's message would be a second sender's counter, out of order.
        assertEquals(0.0, r.get("gaps"));
        assertEquals(0.0, r.get("reorders"));
        assertEquals(0.0, r.get("cut"));
    }

    /**
     * The short fan-out run (20 receivers, 2 of them stalled, 2 senders at 100 msg/s for 1 s):
     * every message reached every receiver, the stalled ones once they read again, in order.
     */
    static void assertCompleteFanOut(Map<String, Object> r) {
        assertEquals(100.0, r.get("sent"));
        assertEquals(1800.0, r.get("expected"));
        assertEquals(r.get("expected"), r.get("received"));
        assertEquals(r.get("stalled_expected"), r.get("stalled_received"));
        assertEquals(0.0, r.get("gaps"));
        assertEquals(0.0, r.get("reorders"));
        assertEquals("", r.get("closes_healthy"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "vt"})
    void idleHoldsItsConnections(String io) throws Exception {
        Map<String, Object> r = run("--io", io, "--mode", "idle", "--connections", "50", "--hold", "0.2");

        assertEquals(50.0, r.get("connect_ok"));
        assertEquals(50.0, r.get("open_after_hold"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "vt"})
    void roomsDeliverEveryMessageToEveryMemberOfItsRoomOnly(String io) throws Exception {
        Map<String, Object> r = run("--io", io, "--mode", "rooms", "--rooms", "8", "--members", "3",
                "--room-rate", "20", "--warmup", "0.3", "--duration", "1", "--drain", "5");

        assertCompleteRooms(r);
        assertEquals("", r.get("errors"));
        assertTrue((Double) r.get("lat_p99_ms") >= 0);
    }

    @Test
    void joinStormJoinsEveryClientToOneRoom() throws Exception {
        Map<String, Object> r = run("--mode", "joinstorm", "--connections", "60", "--connect-concurrency", "7",
                "--drain", "0");

        assertEquals(60.0, r.get("joined"));
        assertEquals(0.0, r.get("failed"));
        assertEquals(7.0, r.get("in_flight"));
        assertTrue((Double) r.get("storm_ms") > 0);
        assertTrue((Double) r.get("join_p99_ms") >= 0, "joins timed");
        assertTrue((Double) r.get("handshake_p99_ms") >= 0, "handshakes timed");
        assertEquals(60.0, r.get("open_after"));
    }

    @Test
    void idleReadsTheServersCpuOverAWindowAfterTheSettle() throws Exception {
        // The calibration server runs in this JVM: its pid stands for the server's.
        String self = Long.toString(ProcessHandle.current().pid());
        Map<String, Object> r = run("--mode", "idle", "--connections", "20", "--hold", "1", "--settle", "0.2",
                "--idle-window", "0.5", "--server-pid", self);

        assertEquals(0.5, r.get("idle_window_s"));
        double cores = (Double) r.get("idle_server_cores");
        assertTrue(cores >= 0 && cores <= Runtime.getRuntime().availableProcessors(), "cores " + cores);
        assertTrue((Double) r.get("idle_server_cpu_ms") >= 0);

        Map<String, Object> tooShort = run("--mode", "idle", "--connections", "5", "--hold", "0.3",
                "--settle", "0.2", "--idle-window", "0.5", "--server-pid", self);
        assertEquals(0.0, tooShort.get("idle_window_s"), "a window that does not fit in the hold is not measured");
        assertEquals(-1.0, tooShort.get("idle_server_cores"));
    }

    @Test
    void publishKeepsItsWindowFullAndCountsEveryReply() throws Exception {
        Map<String, Object> r = run("--mode", "publish", "--senders", "3", "--rooms", "1", "--in-flight", "4",
                "--warmup", "0.2", "--duration", "1");

        assertEquals("", r.get("errors"));
        assertEquals(0.0, r.get("unanswered"));
        assertEquals(r.get("sent_total"), r.get("acks"));
        assertTrue((Double) r.get("published") > 0, "acks counted in the window");
        assertTrue((Double) r.get("acked_per_s") > 0);
        // One room, three members: every message reaches all three senders.
        assertEquals(3 * (Double) r.get("acks"), r.get("expected"));
        assertEquals(r.get("expected"), r.get("received"));
        assertTrue((Double) r.get("lat_p99_ms") >= 0, "members' copies timed");
    }

    @Test
    void publishSplitsRoomsOverSenders() {
        LoadOptions many = LoadOptions.parse(new String[] {"--mode", "publish", "--senders", "3", "--rooms", "7",
                "--room", "p"});
        assertArrayEquals(new String[] {"p-0", "p-3", "p-6"}, PublishScenario.roomsOf(many, 0));
        assertArrayEquals(new String[] {"p-2", "p-5"}, PublishScenario.roomsOf(many, 2));
        assertEquals(1, PublishScenario.membersPerMessage(many, 1));

        LoadOptions few = LoadOptions.parse(new String[] {"--mode", "publish", "--senders", "5", "--rooms", "2",
                "--room", "p"});
        assertArrayEquals(new String[] {"p-1"}, PublishScenario.roomsOf(few, 3));
        assertEquals(3, PublishScenario.membersPerMessage(few, 0)); // senders 0, 2, 4
        assertEquals(2, PublishScenario.membersPerMessage(few, 1)); // senders 1, 3

        LoadOptions one = LoadOptions.parse(new String[] {"--mode", "publish", "--senders", "2", "--room", "p"});
        assertArrayEquals(new String[] {"p"}, PublishScenario.roomsOf(one, 1));
    }

    @Test
    void connectionsAndProbesSpreadOverSeveralNodes() {
        LoadOptions o = LoadOptions.parse(new String[] {"--url", "ws://127.0.0.1:1/ws, ws://127.0.0.1:2/ws",
                "--server-pid", "11,12", "--redis-pid", "13"});
        assertEquals(1, o.url(0).getPort());
        assertEquals(2, o.url(1).getPort());
        assertEquals(1, o.url(1000).getPort());
        assertArrayEquals(new long[] {11, 12}, o.serverPids);
        assertEquals(13, o.redisPid);
    }
}
