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
