package dev.parley.ws;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import io.helidon.common.socket.PlainSocket;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-connection buffer trim works with this Helidon, and frames larger than the buffer still arrive whole. */
class ConnectionBuffersTest {

    @Test
    void theTrimReachesHelidonsFields() {
        assertThat(ConnectionBuffers.supported())
                .as("Helidon's PlainSocket.readBuffer and WsConnection.sendBuffer are reachable")
                .isTrue();
    }

    @Test
    void aTrimmedSocketReadsAtMostItsBufferPerRead() throws Exception {
        try (ServerSocket listen = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), listen.getLocalPort());
             Socket accepted = listen.accept()) {
            PlainSocket socket = PlainSocket.server(accepted, "child", "server");
            ConnectionBuffers.trimReadBuffer(socket);
            byte[] sent = new byte[3 * ConnectionBuffers.READ_BUFFER_BYTES + 7];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = (byte) i;
            }
            OutputStream out = client.getOutputStream();
            out.write(sent);
            out.flush();
            byte[] got = new byte[sent.length];
            int at = 0;
            while (at < sent.length) {
                byte[] chunk = socket.get();
                assertThat(chunk.length).isLessThanOrEqualTo(ConnectionBuffers.READ_BUFFER_BYTES);
                System.arraycopy(chunk, 0, got, at, chunk.length);
                at += chunk.length;
            }
            assertThat(got).isEqualTo(sent);
        }
    }

    @Test
    void aMessageLargerThanTheReadBufferArrivesWhole() {
        ParleyServer server = TestServer.start();
        try (ChatClient alice = ChatClient.joined(TestServer.ws(server), "big", "alice")) {
            String text = "é".repeat(3900); // 7,800 bytes of UTF-8, the default limit is 4,000 characters
            alice.sayAndAwaitAck("big", text);
            assertThat(alice.next("message").path("text").asText()).isEqualTo(text);
        } finally {
            server.stop();
        }
    }
}
