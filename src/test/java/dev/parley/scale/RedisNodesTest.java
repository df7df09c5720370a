package dev.parley.scale;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RedisServer;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two Parley nodes sharing rooms through one real redis-server. */
class RedisNodesTest {
    private RedisServer redis;
    private ParleyServer a;
    private ParleyServer b;
    private final List<ChatClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        a = Nodes.start(redis.url());
        b = Nodes.start(redis.url());
    }

    @AfterEach
    void stop() {
        clients.forEach(ChatClient::abort);
        if (a != null) {
            a.stop();
        }
        if (b != null) {
            b.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private ChatClient joined(ParleyServer node, String room, String name) {
        ChatClient c = ChatClient.joined(TestServer.ws(node), room, name);
        clients.add(c);
        return c;
    }

    @Test
    void membersOnTwoNodesChatInOneSeqOrderAndSeeEachOthersPresence() throws Exception {
        ChatClient alice = joined(a, "lobby", "alice");
        ChatClient bob = joined(b, "lobby", "bob");
        JsonNode bobArrives = alice.next(n -> "presence".equals(n.path("type").asText()) && "bob".equals(n.path("name").asText()),
                                         "bob's arrival, announced through Redis");
        assertThat(bobArrives.path("event").asText()).isEqualTo("join");
        assertThat(bobArrives.path("count").asInt()).isEqualTo(2);
        JsonNode carolJoined = joined(a, "lobby", "carol").all("joined").getFirst();
        assertThat(carolJoined.path("members")).extracting(JsonNode::asText).containsExactly("alice", "bob", "carol");

        // Both sides talk at once: one seq order for everyone.
        Thread other = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 20; i++) {
                bob.say("lobby", "from b " + i, "b" + i);
            }
        });
        for (int i = 0; i < 20; i++) {
            alice.say("lobby", "from a " + i, "a" + i);
        }
        other.join();
        await().atMost(ChatClient.WAIT).until(() -> alice.messages("lobby").size() == 40 && bob.messages("lobby").size() == 40);
        List<Long> seenByAlice = alice.messages("lobby").stream().map(m -> m.path("seq").asLong()).toList();
        List<Long> seenByBob = bob.messages("lobby").stream().map(m -> m.path("seq").asLong()).toList();
        assertThat(seenByAlice).isEqualTo(seenByBob).doesNotHaveDuplicates().isSorted();
        assertThat(seenByAlice.getFirst()).isEqualTo(1);
        assertThat(seenByAlice.getLast()).isEqualTo(40);
        assertThat(alice.messages("lobby").stream().map(m -> m.path("text").asText()).toList())
                .isEqualTo(bob.messages("lobby").stream().map(m -> m.path("text").asText()).toList());

        // Typing crosses nodes too, without a seq.
        alice.send(ChatClient.obj("type", "typing", "room", "lobby"));
        JsonNode typing = bob.next("typing");
        assertThat(typing.path("name").asText()).isEqualTo("alice");
        assertThat(typing.has("seq")).isFalse();

        // bob leaves: alice on the other node hears it.
        bob.close();
        JsonNode gone = alice.next(n -> "leave".equals(n.path("event").asText()) && "bob".equals(n.path("name").asText()), "bob leaves");
        assertThat(gone.path("count").asInt()).isEqualTo(2);
    }

    @Test
    void aNameOnBothNodesIsOneMemberUntilItsLastConnectionLeaves() {
        ChatClient watcher = joined(a, "twice", "watcher");
        ChatClient onA = joined(a, "twice", "dana");
        ChatClient onB = joined(b, "twice", "dana");
        watcher.next(n -> "dana".equals(n.path("name").asText()), "dana arrives");
        onA.close();
        ChatClient marker = joined(b, "twice", "marker");
        watcher.next(n -> "marker".equals(n.path("name").asText()), "marker arrives");
        // dana's first connection went before the marker came: had it been announced, it would be here by now.
        assertThat(watcher.all("presence")).extracting(n -> n.path("name").asText() + ":" + n.path("event").asText())
                .containsExactly("dana:join", "marker:join");
        onB.close();
        watcher.next(n -> "dana".equals(n.path("name").asText()) && "leave".equals(n.path("event").asText()), "dana leaves");
        marker.close();
    }

    @Test
    void aClientThatDropsFromOneNodeResumesOnTheOtherWithExactlyWhatItMissed() {
        ChatClient sender = joined(a, "resume", "sender");
        ChatClient traveller = joined(a, "resume", "traveller");
        for (int i = 1; i <= 5; i++) {
            Nodes.sendUntilAcked(sender, "resume", "before " + i, "p" + i);
        }
        await().atMost(ChatClient.WAIT).until(() -> traveller.messages("resume").size() == 5);
        String epoch = traveller.all("joined").getFirst().path("epoch").asText();
        long last = traveller.messages("resume").getLast().path("seq").asLong();
        traveller.abort();
        for (int i = 1; i <= 7; i++) {
            Nodes.sendUntilAcked(sender, "resume", "missed " + i, "q" + i);
        }

        ChatClient back = ChatClient.open(TestServer.ws(b));
        clients.add(back);
        back.send(ChatClient.obj("type", "join", "room", "resume", "name", "traveller", "epoch", epoch, "since", last));
        JsonNode joined = back.next("joined");
        assertThat(joined.path("recovered").asBoolean()).isTrue();
        assertThat(joined.path("epoch").asText()).isEqualTo(epoch);
        assertThat(joined.path("seq").asLong()).isEqualTo(12);
        await().atMost(ChatClient.WAIT).until(() -> back.messages("resume").size() == 7);
        assertThat(back.messages("resume")).extracting(m -> m.path("text").asText())
                .containsExactly("missed 1", "missed 2", "missed 3", "missed 4", "missed 5", "missed 6", "missed 7");
        // And it is live again, on the new node.
        Nodes.sendUntilAcked(sender, "resume", "after", "r1");
        back.next(n -> "after".equals(n.path("text").asText()), "the next message, live");
        assertThat(back.messages("resume")).hasSize(8);
    }

    @Test
    void historyPagesComeFromRedisOnEveryNode() {
        ChatClient writer = joined(a, "pages", "writer");
        for (int i = 1; i <= 6; i++) {
            Nodes.sendUntilAcked(writer, "pages", "m" + i, "h" + i);
        }
        ChatClient reader = joined(b, "pages", "reader");
        reader.send(ChatClient.obj("type", "history", "room", "pages", "before", 4, "limit", 2));
        JsonNode page = reader.next("history");
        assertThat(page.path("messages")).extracting(m -> m.path("seq").asLong()).containsExactly(2L, 3L);
        assertThat(page.path("more").asBoolean()).isTrue();
    }

    @Test
    void aPubSubMessageThatNeverArrivesIsFilledFromTheStream() throws Exception {
        ChatClient writer = joined(a, "gaps", "writer");
        ChatClient reader = joined(b, "gaps", "reader");
        Nodes.sendUntilAcked(writer, "gaps", "one", "g1");
        reader.next(n -> "one".equals(n.path("text").asText()), "one");

        // seq 2 goes into the stream but its announcement to a channel nobody hears: lost pub/sub.
        publishUnannounced("gaps", "two (never announced)");
        // Without any later message, the periodic position check finds it.
        JsonNode two = reader.next(n -> "message".equals(n.path("type").asText()) && n.path("seq").asLong() == 2, "seq 2 from the stream");
        assertThat(two.path("text").asText()).isEqualTo("two (never announced)");

        // A later message that arrives before the missing one is held back until the gap is filled.
        publishUnannounced("gaps", "three (never announced)");
        Nodes.sendUntilAcked(writer, "gaps", "four", "g4");
        await().atMost(ChatClient.WAIT).until(() -> reader.messages("gaps").size() == 4);
        assertThat(reader.messages("gaps")).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(writer.messages("gaps")).extracting(m -> m.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
    }

    /** Runs the publish script itself, with the channel pointed at nobody. */
    private void publishUnannounced(String room, String text) throws IOException {
        String script;
        try (InputStream in = getClass().getResourceAsStream("/redis/publish.lua")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String k = "parley:{" + room + "}:";
        String out = redis.cli("EVAL", script, "4", k + "epoch", k + "seq", k + "log", k + "ids",
                               "", "unused", "1000", "3600000",
                               "{\"type\":\"message\",\"room\":\"" + room + "\",\"seq\":",
                               ",\"from\":\"ghost\",\"text\":\"" + text + "\",\"ts\":1}", "nobody-listens", "0");
        assertThat(out).doesNotContain("ERR");
    }

    @Test
    void whileRedisIsDownSendsAndJoinsAreRefusedAndAfterItEveryAckedMessageArrivesExactlyOnce() throws Exception {
        List<ChatClient> senders = List.of(joined(a, "outage", "s1"), joined(b, "outage", "s2"), joined(a, "outage", "s3"));
        ChatClient watcherA = joined(a, "outage", "wa");
        ChatClient watcherB = joined(b, "outage", "wb");
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        CountDownLatch halfway = new CountDownLatch(senders.size());
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders.size(); s++) {
            ChatClient c = senders.get(s);
            int who = s;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 40; i++) {
                    if (i == 10) {
                        halfway.countDown();
                    }
                    acked.add(Nodes.sendUntilAcked(c, "outage", "s" + who + " m" + i, "s" + who + "-" + i));
                }
            }));
        }
        assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
        redis.kill();
        // Readiness goes down while Redis is away; sends are answered unavailable, not lost.
        await().atMost(ChatClient.WAIT).until(() -> ready(a) == 503);
        ChatClient late = ChatClient.open(TestServer.ws(b));
        clients.add(late);
        late.send(ChatClient.obj("type", "join", "room", "outage", "name", "late"));
        assertThat(late.next("error").path("code").asText()).isEqualTo("unavailable");
        senders.getFirst().say("outage", "during the outage", "down-1");
        assertThat(senders.getFirst().next(n -> "down-1".equals(n.path("ref").asText()), "refusal").path("code").asText())
                .isEqualTo("unavailable");

        redis.restart();
        await().atMost(ChatClient.WAIT).until(() -> ready(a) == 200 && ready(b) == 200);
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(acked).hasSize(120);
        for (ChatClient member : List.of(watcherA, watcherB, senders.get(0), senders.get(1), senders.get(2))) {
            await().atMost(ChatClient.WAIT).until(() -> seqs(member, "outage").containsAll(acked));
            List<Long> got = member.messages("outage").stream().map(m -> m.path("seq").asLong()).toList();
            assertThat(got).as("delivered exactly once, in order").doesNotHaveDuplicates().isSorted();
        }
        // The late joiner gets in once Redis is back.
        late.send(ChatClient.obj("type", "join", "room", "outage", "name", "late"));
        assertThat(late.next("joined").path("members")).extracting(JsonNode::asText).contains("wa", "wb", "late");
    }

    private static Set<Long> seqs(ChatClient c, String room) {
        Set<Long> s = new HashSet<>();
        c.messages(room).forEach(m -> s.add(m.path("seq").asLong()));
        return s;
    }

    private static int ready(ParleyServer node) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + node.adminPort() + "/observe/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
