package dev.parley.ws;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PerAddressLimitTest {

    @Test
    void connectionsOverTheLimitOfOneAddressAreRefusedAndTheLimitFreesUp() {
        ParleyServer server = TestServer.start(Map.of("parley.connections.per-address", "2"));
        try (ChatClient one = ChatClient.open(TestServer.ws(server));
             ChatClient two = ChatClient.open(TestServer.ws(server));
             ChatClient three = ChatClient.connect(TestServer.ws(server))) {
            assertThat(three.awaitClose()).isEqualTo(1008);
            assertThat(one.isClosed()).isFalse();
            one.close();
            await().until(() -> server.connections().size() == 1);
            try (ChatClient again = ChatClient.open(TestServer.ws(server))) {
                again.send(ChatClient.obj("type", "ping"));
                again.next("pong");
            }
        } finally {
            server.stop();
        }
    }
}
