package dev.parley.ws;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.broker.Broker;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Presence that scales with the room: events while small, batches when big, none when off; names paged. */
class PresenceTest {
    private ParleyServer server;
    private final List<ChatClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(ChatClient::close);
        if (server != null) {
            server.stop();
        }
    }

    private ChatClient joined(URI ws, String room, String name) {
        ChatClient c = ChatClient.joined(ws, room, name);
        clients.add(c);
        return c;
    }

    @Test
    void aBigRoomHearsOfJoinsAndLeavesInBatchesWithTheCount() {
        server = TestServer.start(Map.of("parley.presence.batch-above", "2"));
        URI ws = TestServer.ws(server);
        ChatClient alice = joined(ws, "big", "alice");
        joined(ws, "big", "bob"); // the room is 2: an event
        JsonNode bobCame = alice.next("presence");
        assertThat(bobCame.path("event").asText()).isEqualTo("join");
        assertThat(bobCame.path("name").asText()).isEqualTo("bob");

        ChatClient carol = joined(ws, "big", "carol"); // 3 > 2: batched
        ChatClient dave = joined(ws, "big", "dave");
        carol.close();
        JsonNode batch = alice.next("presence");
        assertThat(batch.path("event").asText()).isEqualTo("batch");
        assertThat(batch.path("more").asInt()).isZero();
        // Within one batch carol's join and leave cancel out; if her leave came after the batch
        // went, the next batch says so. Either way alice ends up knowing exactly who is there.
        await().atMost(ChatClient.WAIT).until(() -> view(alice).equals(Set.of("bob", "dave")));
        assertThat(alice.all("presence").getLast().path("count").asInt()).isEqualTo(3);
        assertThat(alice.all("presence").subList(1, alice.all("presence").size()))
                .as("batches only, at most one per change").allMatch(m -> "batch".equals(m.path("event").asText())).hasSizeLessThanOrEqualTo(2);

        dave.close(); // back to 2: an event again, or one more batch if one is still pending
        await().atMost(ChatClient.WAIT).until(() -> view(alice).equals(Set.of("bob")));
        assertThat(alice.all("presence").getLast().path("count").asInt()).isEqualTo(2);
    }

    /** Who {@code c} knows is in the room besides itself: its presence applied as set updates. */
    private static Set<String> view(ChatClient c) {
        Set<String> names = new TreeSet<>();
        for (JsonNode p : c.all("presence")) {
            switch (p.path("event").asText()) {
                case "join" -> names.add(p.path("name").asText());
                case "leave" -> names.remove(p.path("name").asText());
                case "batch" -> {
                    p.path("joined").forEach(n -> names.add(n.asText()));
                    p.path("left").forEach(n -> names.remove(n.asText()));
                }
                default -> throw new AssertionError(p.toString());
            }
        }
        return names;
    }

    @Test
    void withEventsOffNobodyHearsOfJoinsButTheCountAndNamesAreThere() {
        server = TestServer.start(Map.of("parley.presence.events", "false"));
        URI ws = TestServer.ws(server);
        ChatClient alice = joined(ws, "quiet", "alice");
        ChatClient bob = ChatClient.open(ws);
        clients.add(bob);
        JsonNode j = bob.join("quiet", "bob");
        assertThat(j.path("count").asInt()).isEqualTo(2);
        assertThat(names(j.path("members"))).containsExactly("alice", "bob");
        long seq = alice.sayAndAwaitAck("quiet", "after bob came");
        alice.next(m -> "message".equals(m.path("type").asText()) && m.path("seq").asLong() == seq, "own message");
        assertThat(alice.all("presence")).isEmpty();
    }

    @Test
    void aJoinListsTheFirstNamesAndTheRestArePaged() {
        server = TestServer.start(Map.of("parley.presence.events", "false"));
        URI ws = TestServer.ws(server);
        int n = Broker.MEMBERS_LISTED + 30;
        Set<String> all = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            String name = String.format("m%03d", i);
            all.add(name);
            joined(ws, "crowd", name);
        }
        ChatClient last = clients.getLast();
        last.send(ChatClient.obj("type", "members", "room", "crowd"));
        JsonNode first = last.next("members");
        assertThat(first.path("count").asInt()).isEqualTo(n);
        assertThat(first.path("names")).hasSize(Broker.MEMBERS_LISTED);
        assertThat(first.has("next")).isTrue();
        last.send(ChatClient.obj("type", "members", "room", "crowd", "cursor", first.path("next").asText()));
        JsonNode second = last.next(m -> "members".equals(m.path("type").asText()) && m != first, "second page");
        assertThat(second.has("next")).as("the last page").isFalse();
        Set<String> paged = new TreeSet<>(names(first.path("names")));
        paged.addAll(names(second.path("names")));
        assertThat(paged).isEqualTo(all);

        ChatClient late = ChatClient.open(ws);
        clients.add(late);
        JsonNode j = late.join("crowd", "zed");
        assertThat(j.path("count").asInt()).isEqualTo(n + 1);
        assertThat(j.path("members")).hasSize(Broker.MEMBERS_LISTED);

        ChatClient outsider = ChatClient.open(ws);
        clients.add(outsider);
        outsider.send(ChatClient.obj("type", "members", "room", "crowd"));
        assertThat(outsider.next("error").path("code").asText()).isEqualTo("not_joined");
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
