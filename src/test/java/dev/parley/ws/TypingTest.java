package dev.parley.ws;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

/** Typing notices: ephemeral, throttled per connection, never stored, acked or sequenced. */
class TypingTest {
    private static ParleyServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void aNoticeReachesTheRoomOnceAndLeavesNoTrace() {
        try (ChatClient alice = ChatClient.joined(TestServer.ws(server), "keys", "alice");
             ChatClient bob = ChatClient.joined(TestServer.ws(server), "keys", "bob")) {
            alice.next("presence");
            for (int i = 0; i < 5; i++) {
                alice.send(ChatClient.obj("type", "typing", "room", "keys"));
            }
            JsonNode notice = bob.next("typing");
            assertThat(notice.path("room").asText()).isEqualTo("keys");
            assertThat(notice.path("name").asText()).isEqualTo("alice");
            assertThat(notice.has("seq")).isFalse();
            // A message sent after the burst arrives, and behind it no second notice: the burst was throttled.
            long seq = alice.sayAndAwaitAck("keys", "done typing");
            bob.next(n -> n.path("seq").asLong() == seq, "the message");
            assertThat(bob.all("typing")).hasSize(1);
            assertThat(alice.all("ack")).hasSize(1);
            assertThat(alice.all("error")).isEmpty();
            // Not history.
            bob.send(ChatClient.obj("type", "history", "room", "keys", "limit", 10));
            assertThat(bob.next("history").path("messages")).extracting(m -> m.path("type").asText()).containsOnly("message").hasSize(1);
        }
    }

    @Test
    void typingInARoomNotJoinedIsAnError() {
        try (ChatClient carol = ChatClient.open(TestServer.ws(server))) {
            carol.send(ChatClient.obj("type", "typing", "room", "elsewhere"));
            JsonNode e = carol.next("error");
            assertThat(e.path("code").asText()).isEqualTo("not_joined");
            assertThat(e.path("room").asText()).isEqualTo("elsewhere");
        }
    }
}
