package dev.parley.hub;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once a drain has begun, a send is refused with {@code unavailable} and not acked: with the
 * in-memory broker this process's history ends with it, so an acked message could reach nobody.
 * The client sends again, with the same id, after it reconnects.
 */
class DrainTest {

    @Test
    void aSendAfterTheDrainBeganIsRefusedNotAcked() {
        ParleyServer server = TestServer.start();
        try (ChatClient alice = ChatClient.joined(TestServer.ws(server), "closing", "alice");
             ChatClient bob = ChatClient.joined(TestServer.ws(server), "closing", "bob")) {
            long before = alice.sayAndAwaitAck("closing", "before the drain");
            bob.next(n -> n.path("seq").asLong() == before, "the message before the drain");

            server.hub().flushNow(); // what a drain does first
            alice.say("closing", "during the drain", "late-1");
            JsonNode answer = alice.next(n -> "late-1".equals(n.path("ref").asText()) || "late-1".equals(n.path("id").asText()),
                                         "the answer to late-1");
            assertThat(answer.path("type").asText()).isEqualTo("error");
            assertThat(answer.path("code").asText()).isEqualTo("unavailable");
            assertThat(answer.path("room").asText()).isEqualTo("closing");
            // Nothing was published: the room's history ends before it.
            alice.send(ChatClient.obj("type", "history", "room", "closing", "limit", 10));
            assertThat(alice.next("history").path("messages")).extracting(m -> m.path("text").asText())
                    .containsExactly("before the drain");
            assertThat(alice.isClosed()).as("a refusal does not end the session").isFalse();
        } finally {
            server.stop();
        }
    }
}
