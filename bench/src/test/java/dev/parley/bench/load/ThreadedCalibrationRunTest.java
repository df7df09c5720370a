package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The threaded calibration server under short real runs: it must deliver as completely as the
 * selector one (including to receivers that stall and read again), and ping on its heartbeat, or
 * its figures are no floor for anything.
 */
@Timeout(60)
class ThreadedCalibrationRunTest {

    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        // A one-second heartbeat, so that a test sees pings.
        port = CalibrationRunTest.start("threaded-calibration-server", p -> ThreadedCalibrationServer.serve(p, 1));
    }

    @Test
    void fanOutDeliversEverythingInOrderStalledReceiversIncluded() throws Exception {
        Map<String, Object> r = CalibrationRunTest.run(port, "--receivers", "20", "--stalled", "2", "--senders", "2",
                "--rate", "100", "--warmup", "0.3", "--duration", "1", "--drain", "5");

        CalibrationRunTest.assertCompleteFanOut(r);
    }

    @Test
    void roomsDeliverEveryMessageToEveryMemberOfItsRoomOnly() throws Exception {
        Map<String, Object> r = CalibrationRunTest.run(port, "--mode", "rooms", "--rooms", "8", "--members", "3",
                "--room-rate", "20", "--warmup", "0.3", "--duration", "1", "--drain", "5");

        CalibrationRunTest.assertCompleteRooms(r);
    }

    @Test
    void anIdleConnectionIsPingedEveryHeartbeat() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);

            AtomicInteger texts = new AtomicInteger();
            AtomicInteger pings = new AtomicInteger();
            FrameDecoder decoder = new FrameDecoder(1 << 16);
            FrameDecoder.Sink sink = new FrameDecoder.Sink() {
                @Override
                public void onText(byte[] b, int off, int len) {
                    texts.incrementAndGet();
                }

                @Override
                public void onPing(byte[] b, int off, int len) throws IOException {
                    pings.incrementAndGet();
                    out.write(FrameEncoder.masked(0xA, new byte[0])); // the pong, as a client sends it
                }

                @Override
                public void onClose(int code) {
                }
            };
            byte[] buf = new byte[4096];
            int lim = 0;
            long start = System.nanoTime();
            while (pings.get() < 2) {
                int n = in.read(buf, lim, buf.length - lim);
                assertTrue(n > 0, "the server closed the connection");
                lim += n;
                int pos = decoder.decode(buf, 0, lim, sink);
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                lim -= pos;
            }
            assertEquals(1, texts.get(), "the hello, and nothing else but pings");
            assertTrue(System.nanoTime() - start >= 1_500_000_000L, "two pings a heartbeat apart");
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            assertTrue(c >= 0, "the server closed the connection during the handshake");
            head.append((char) c);
        }
        return head.toString();
    }
}
