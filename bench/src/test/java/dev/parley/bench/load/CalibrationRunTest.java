package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Short real runs of both scenarios over loopback sockets, against the calibration server:
 * every message sent in the window must reach every receiver, stalled ones included once they
 * read again, in order, with both read designs.
 */
@Timeout(60)
class CalibrationRunTest {

    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Thread server = Thread.ofPlatform().daemon().name("calibration-server").start(() -> {
            try {
                CalibrationServer.serve(port);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !server.isAlive()) {
                    throw notYet;
                }
                Thread.sleep(20);
            }
        }
    }

    private static Map<String, Object> run(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--url";
        all[1] = "ws://127.0.0.1:" + port + "/ws";
        System.arraycopy(args, 0, all, 2, args.length);
        LoadOptions options = LoadOptions.parse(all);
        Report report = options.mode == LoadOptions.Mode.FANOUT
                ? new FanoutScenario(options).run()
                : new IdleScenario(options).run();
        return Summarize.parseFlat(report.json());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "vt"})
    void fanOutDeliversEverythingInOrder(String io) throws Exception {
        Map<String, Object> r = run("--io", io, "--receivers", "20", "--stalled", "2", "--senders", "2",
                "--rate", "100", "--warmup", "0.3", "--duration", "1", "--drain", "5");

        assertEquals(100.0, r.get("sent"));
        assertEquals(1800.0, r.get("expected"));
        assertEquals(r.get("expected"), r.get("received"));
        assertEquals(r.get("stalled_expected"), r.get("stalled_received"));
        assertEquals(0.0, r.get("gaps"));
        assertEquals(0.0, r.get("reorders"));
        assertEquals(130.0, r.get("acks"));
        assertEquals("", r.get("closes_healthy"));
        assertTrue((Double) r.get("lat_p99_ms") >= 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "vt"})
    void idleHoldsItsConnections(String io) throws Exception {
        Map<String, Object> r = run("--io", io, "--mode", "idle", "--connections", "50", "--hold", "0.2");

        assertEquals(50.0, r.get("connect_ok"));
        assertEquals(50.0, r.get("open_after_hold"));
    }
}
