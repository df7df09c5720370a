package dev.parley.ws;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fan-out coalescing ({@code parley.write-delay}): a quiet room sends at once, a busy one batches
 * into one frame per delay; membership changes and a drain send what is pending first. The delay
 * is the maximum (100 ms) so a burst sent in a tight loop lands in few batches even here.
 */
class CoalescingTest {
    private static final Map<String, String> SETTINGS = Map.of(
            "parley.write-delay", "PT0.1S", "parley.rate.per-second", "1000", "parley.rate.burst", "1000");
    private ParleyServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aQuietRoomSendsAtOnceAndABurstSharesFrames() throws Exception {
        server = TestServer.start(SETTINGS);
        URI ws = TestServer.ws(server);
        try (RawClient bob = RawClient.connect(ws); ChatClient alice = ChatClient.joined(ws, "c", "alice")) {
            objects(bob.read()); // hello
            bob.sendText("{\"type\":\"join\",\"room\":\"c\",\"name\":\"bob\"}");
            assertThat(objects(bob.read())).extracting(o -> o.path("type").asText()).containsExactly("joined");

            alice.say("c", "first", null);
            List<JsonNode> lone = objects(bob.read());
            assertThat(lone).hasSize(1);
            assertThat(lone.getFirst().path("text").asText()).isEqualTo("first");

            int burst = 20;
            for (int i = 0; i < burst; i++) {
                alice.say("c", "m" + i, null);
            }
            List<JsonNode> got = new ArrayList<>();
            int frames = 0;
            while (got.size() < burst) {
                got.addAll(objects(bob.read()));
                frames++;
            }
            assertThat(got).extracting(o -> o.path("text").asText())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, burst).mapToObj(i -> "m" + i).toList());
            long seq = lone.getFirst().path("seq").asLong();
            for (JsonNode m : got) {
                assertThat(m.path("seq").asLong()).isEqualTo(++seq);
            }
            // One frame per 100 ms: a burst sent in a tight loop takes a few frames, not one each.
            assertThat(frames).isLessThanOrEqualTo(burst / 4);
        }
    }

    @Test
    void aJoinerMeetsPendingMessagesWithoutGapOrDuplicate() {
        server = TestServer.start(SETTINGS);
        URI ws = TestServer.ws(server);
        try (ChatClient alice = ChatClient.joined(ws, "j", "alice")) {
            for (int round = 0; round < 5; round++) {
                // Several messages in quick succession: all but the first wait for the next batch,
                // and the join below lands in that window most of the time.
                for (int i = 0; i < 4; i++) {
                    alice.say("j", "r" + round + "-" + i, null);
                }
                try (ChatClient bob = ChatClient.connect(ws)) {
                    bob.next("hello");
                    JsonNode joined = bob.join("j", "bob" + round);
                    long head = joined.path("seq").asLong();
                    long last = alice.sayAndAwaitAck("j", "after-" + round);
                    assertThat(last).isEqualTo(head + 1);
                    bob.next(m -> "message".equals(m.path("type").asText()) && m.path("seq").asLong() == last,
                            "message " + last);
                    List<Long> seqs = bob.messages("j").stream().map(m -> m.path("seq").asLong()).toList();
                    assertThat(seqs).doesNotHaveDuplicates().isSorted().endsWith(head, last);
                    assertThat(seqs.getLast() - seqs.getFirst() + 1).isEqualTo(seqs.size());
                }
            }
        }
    }

    @Test
    void joinsInQuickSuccessionShareFramesAndNobodyHearsOfTheirOwnJoin() throws Exception {
        server = TestServer.start(SETTINGS);
        URI ws = TestServer.ws(server);
        List<ChatClient> joiners = new ArrayList<>();
        try (RawClient watcher = RawClient.connect(ws)) {
            objects(watcher.read()); // hello
            watcher.sendText("{\"type\":\"join\",\"room\":\"p\",\"name\":\"watcher\"}");
            objects(watcher.read()); // joined
            int n = 12;
            for (int i = 0; i < n; i++) {
                joiners.add(ChatClient.open(ws));
            }
            // All joins in a burst, each on its own connection: the room takes them in some order.
            for (int i = 0; i < n; i++) {
                joiners.get(i).send(ChatClient.obj("type", "join", "room", "p", "name", "j" + i));
            }
            List<JsonNode> joinedFrames = new ArrayList<>();
            for (ChatClient j : joiners) {
                joinedFrames.add(j.next("joined"));
            }
            List<String> order = new ArrayList<>();
            int frames = 0;
            while (order.size() < n) {
                for (JsonNode o : objects(watcher.read())) {
                    assertThat(o.path("type").asText()).isEqualTo("presence");
                    order.add(o.path("name").asText());
                }
                frames++;
            }
            assertThat(order).containsExactlyInAnyOrderElementsOf(
                    java.util.stream.IntStream.range(0, n).mapToObj(i -> "j" + i).toList());
            assertThat(frames).as("frames for the presence of %d joins in a burst", n).isLessThan(n);
            long seq = joiners.getFirst().sayAndAwaitAck("p", "hello");
            for (int i = 0; i < n; i++) {
                ChatClient j = joiners.get(i);
                j.next(m -> "message".equals(m.path("type").asText()) && m.path("seq").asLong() == seq, "message " + seq);
                // Each learns of every later join exactly once: a join the room took between this
                // one's and its admission is in its member list, every other one reaches it as
                // presence, in the room's order.
                int mine = order.indexOf("j" + i);
                List<String> listed = new ArrayList<>();
                joinedFrames.get(i).path("members").forEach(m -> listed.add(m.asText()));
                List<String> heard = j.all("presence").stream().map(o -> o.path("name").asText()).toList();
                List<String> later = order.subList(mine + 1, n);
                assertThat(heard).as("presence heard by j%d", i).doesNotHaveDuplicates().doesNotContainAnyElementsOf(listed);
                assertThat(later.stream().filter(heard::contains).toList()).as("heard in the room's order").isEqualTo(heard);
                List<String> known = new ArrayList<>(listed);
                known.addAll(heard);
                assertThat(known).as("members listed to j%d plus presence heard", i)
                        .containsAll(later).containsAll(order.subList(0, mine)).contains("watcher");
                assertThat(listed).as("members listed to j%d", i).isSubsetOf(concat(order.subList(0, mine + 1), later, "watcher"));
            }
        } finally {
            joiners.forEach(ChatClient::close);
        }
    }

    @Test
    void aLeaverGetsWhatWasPendingWhileItWasAMember() {
        server = TestServer.start(SETTINGS);
        URI ws = TestServer.ws(server);
        try (ChatClient alice = ChatClient.joined(ws, "l", "alice"); ChatClient carol = ChatClient.joined(ws, "l", "carol")) {
            for (int round = 0; round < 5; round++) {
                long first = alice.sayAndAwaitAck("l", "first-" + round);
                long second = alice.sayAndAwaitAck("l", "second-" + round); // most often still pending
                carol.send(ChatClient.obj("type", "leave", "room", "l"));
                carol.next("left");
                assertThat(carol.messages("l")).extracting(m -> m.path("seq").asLong()).contains(first, second);
                // Nothing of the room after "left".
                List<JsonNode> all = carol.all();
                int left = 0;
                for (int i = 0; i < all.size(); i++) {
                    if ("left".equals(all.get(i).path("type").asText())) {
                        left = i;
                    }
                }
                assertThat(all.subList(left + 1, all.size())).noneMatch(o -> "message".equals(o.path("type").asText()));
                carol.join("l", "carol");
            }
        }
    }

    @Test
    void aDrainSendsPendingMessagesBeforeTheClose() {
        server = TestServer.start(SETTINGS);
        URI ws = TestServer.ws(server);
        try (ChatClient alice = ChatClient.joined(ws, "d", "alice"); ChatClient bob = ChatClient.joined(ws, "d", "bob")) {
            long first = alice.sayAndAwaitAck("d", "first");
            long pending = alice.sayAndAwaitAck("d", "pending"); // within 100 ms of the first: waits
            bob.next(m -> m.path("seq").asLong() == first && "message".equals(m.path("type").asText()), "first");
            server.shutdown();
            assertThat(bob.awaitClose()).isEqualTo(1001);
            assertThat(bob.messages("d")).extracting(m -> m.path("seq").asLong()).contains(first, pending);
        }
    }

    /** In a room that sends at once, the sender's own copy and its ack leave in one write. */
    @Test
    void aSendersOwnCopyAndItsAckShareAFrame() throws Exception {
        server = TestServer.start(Map.of("parley.write-delay", "PT0S"));
        URI ws = TestServer.ws(server);
        try (RawClient alice = RawClient.connect(ws); ChatClient bob = ChatClient.joined(ws, "a", "bob")) {
            objects(alice.read()); // hello
            alice.sendText("{\"type\":\"join\",\"room\":\"a\",\"name\":\"alice\"}");
            objects(alice.read()); // joined
            for (int i = 0; i < 5; i++) {
                alice.sendText("{\"type\":\"send\",\"room\":\"a\",\"text\":\"hi " + i + "\",\"id\":\"m" + i + "\"}");
                assertThat(objects(alice.read())).extracting(o -> o.path("type").asText() + " " + o.path("id").asText())
                        .containsExactly("message m" + i, "ack m" + i);
            }
            bob.next(m -> "message".equals(m.path("type").asText()) && "hi 4".equals(m.path("text").asText()), "the last message");
            assertThat(bob.messages("a")).hasSize(5);
        }
    }

    private static List<JsonNode> objects(RawClient.ServerFrame f) throws Exception {
        assertThat(f.opcode()).isEqualTo(1);
        List<JsonNode> out = new ArrayList<>();
        for (String line : f.text().split("\n")) {
            out.add(ChatClient.JSON.readTree(line));
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b, String c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.add(c);
        return all;
    }
}
