package dev.parley.ws;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** The server pings every heartbeat; a client that answers stays connected past the idle timeout. */
class HeartbeatTest {

    @Test
    void pingsKeepAnAnsweringClientAlive() throws Exception {
        ParleyServer server = TestServer.start(Map.of("parley.heartbeat", "PT0.3S", "parley.idle-timeout", "PT1S",
                                                      "parley.write-deadline", "PT0.5S"));
        try (RawClient c = RawClient.connect(TestServer.ws(server))) {
            c.read(); // hello
            long start = System.nanoTime();
            int pings = 0;
            // Three idle timeouts long, answering each ping with a pong and sending nothing else.
            while (System.nanoTime() - start < Duration.ofSeconds(3).toNanos()) {
                RawClient.ServerFrame f = c.read();
                assertThat(f.opcode()).as("only pings expected, got a close?").isEqualTo(0x9);
                pings++;
                c.frame(0xA, f.payload(), true);
            }
            assertThat(pings).isBetween(5, 12);
            assertThat(server.connections().size()).isEqualTo(1);
        } finally {
            server.stop();
        }
    }

    /**
     * The watchdog looks at a connection when something of it falls due — here, its heartbeat —
     * not every period: idle connections cost work per heartbeat, not per scan.
     */
    @Test
    void idleConnectionsAreLookedAtOncePerHeartbeatNotEveryPeriod() throws Exception {
        // Period: a tenth of the write deadline, 50 ms; heartbeat 20 periods.
        ParleyServer server = TestServer.start(Map.of("parley.heartbeat", "PT1S", "parley.idle-timeout", "PT10S",
                                                      "parley.write-deadline", "PT0.5S"));
        int n = 20;
        java.util.List<RawClient> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                RawClient c = RawClient.connect(TestServer.ws(server));
                c.read(); // hello
                clients.add(c);
            }
            long before = server.connections().watchdogTicks();
            long start = System.nanoTime();
            for (int round = 0; round < 3; round++) {
                for (RawClient c : clients) {
                    RawClient.ServerFrame f = c.read();
                    assertThat(f.opcode()).isEqualTo(0x9);
                    c.frame(0xA, f.payload(), true);
                }
            }
            long ticks = server.connections().watchdogTicks() - before;
            long periods = (System.nanoTime() - start) / Duration.ofMillis(50).toNanos();
            assertThat(periods).as("three heartbeats span many periods").isGreaterThanOrEqualTo(40);
            // A scan would be n per period (>= 800 here); per heartbeat it is about n per second,
            // plus one look per writer that goes idle after each ping.
            assertThat(ticks).as("looks at %d connections over %d periods", n, periods).isLessThanOrEqualTo(n * 3L * 3);
            assertThat(ticks).as("every connection was looked at for its pings").isGreaterThanOrEqualTo(n * 2L);
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
            server.stop();
        }
    }

    @Test
    void clientPingGetsPong() throws Exception {
        ParleyServer server = TestServer.start();
        try (RawClient c = RawClient.connect(TestServer.ws(server))) {
            c.read(); // hello
            c.frame(0x9, "are you there".getBytes(), true);
            RawClient.ServerFrame pong = c.read();
            assertThat(pong.opcode()).isEqualTo(0xA);
            assertThat(pong.text()).isEqualTo("are you there");
        } finally {
            server.stop();
        }
    }
}
