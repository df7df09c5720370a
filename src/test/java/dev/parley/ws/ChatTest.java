package dev.parley.ws;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

class ChatTest {
    private static ParleyServer server;
    private static URI ws;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        ws = TestServer.ws(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void helloAnnouncesSessionProtocolAndHeartbeat() {
        try (ChatClient c = ChatClient.connect(ws)) {
            JsonNode hello = c.next("hello");
            assertThat(hello.path("session").asText()).startsWith("s-");
            assertThat(hello.path("protocol").asInt()).isEqualTo(1);
            assertThat(hello.path("heartbeat").asInt()).isEqualTo(25);
            assertThat(hello.path("maxText").asInt()).isEqualTo(4000);
        }
    }

    @Test
    void twoClientsChatWithPresenceAndMembers() {
        try (ChatClient alice = ChatClient.open(ws); ChatClient bob = ChatClient.open(ws)) {
            JsonNode aliceJoined = alice.join("chat", "alice");
            assertThat(aliceJoined.path("seq").asLong()).isZero();
            assertThat(aliceJoined.path("members")).extracting(JsonNode::asText).containsExactly("alice");

            JsonNode bobJoined = bob.join("chat", "bob");
            assertThat(bobJoined.path("members")).extracting(JsonNode::asText).containsExactly("alice", "bob");
            JsonNode presence = alice.next("presence");
            assertThat(presence.path("event").asText()).isEqualTo("join");
            assertThat(presence.path("name").asText()).isEqualTo("bob");
            assertThat(presence.path("count").asInt()).isEqualTo(2);

            alice.say("chat", "hi bob", "a-1");
            JsonNode ack = alice.next("ack");
            assertThat(ack.path("id").asText()).isEqualTo("a-1");
            assertThat(ack.path("seq").asLong()).isEqualTo(1);
            for (ChatClient c : List.of(alice, bob)) {
                JsonNode m = c.next("message");
                assertThat(m.path("from").asText()).isEqualTo("alice");
                assertThat(m.path("text").asText()).isEqualTo("hi bob");
                assertThat(m.path("seq").asLong()).isEqualTo(1);
                assertThat(m.path("id").asText()).isEqualTo("a-1");
                assertThat(m.path("ts").asLong()).isPositive();
            }

            bob.send(ChatClient.obj("type", "leave", "room", "chat"));
            bob.next("left");
            JsonNode gone = alice.next("presence");
            assertThat(gone.path("event").asText()).isEqualTo("leave");
            assertThat(gone.path("name").asText()).isEqualTo("bob");
            assertThat(gone.path("count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void sameNameTwiceIsOneMemberUntilBothLeave() {
        try (ChatClient watcher = ChatClient.joined(ws, "tabs", "watcher");
             ChatClient tab1 = ChatClient.joined(ws, "tabs", "carol");
             ChatClient tab2 = ChatClient.open(ws)) {
            watcher.next(n -> n.path("type").asText().equals("presence") && n.path("name").asText().equals("carol"), "carol joins");
            JsonNode joined = tab2.join("tabs", "carol");
            assertThat(joined.path("members")).extracting(JsonNode::asText).containsExactly("carol", "watcher");

            tab1.say("tabs", "from tab one", null);
            assertThat(tab2.next("message").path("text").asText()).isEqualTo("from tab one");

            tab1.close();
            tab2.say("tabs", "still here", null);
            watcher.next(n -> n.path("text").asText().equals("still here"), "second tab's message");
            // carol's second tab is still in the room: no leave was announced for the first.
            assertThat(watcher.all("presence")).extracting(n -> n.path("event").asText()).containsExactly("join");

            tab2.close();
            JsonNode left = watcher.next(n -> n.path("event").asText().equals("leave"), "carol leaves");
            assertThat(left.path("count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void pingIsAnsweredWithPong() {
        try (ChatClient c = ChatClient.open(ws)) {
            c.send(ChatClient.obj("type", "ping"));
            c.next("pong");
        }
    }

    @Test
    void oneConnectionInSeveralRooms() {
        try (ChatClient c = ChatClient.open(ws)) {
            c.join("room-a", "dora");
            c.join("room-b", "dora-b");
            c.say("room-b", "in b", null);
            JsonNode m = c.next("message");
            assertThat(m.path("room").asText()).isEqualTo("room-b");
            assertThat(m.path("from").asText()).isEqualTo("dora-b");
        }
    }
}
