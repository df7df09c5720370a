package dev.parley.ws;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Reconnect and resume: exactly what was missed, in order, no duplicates — or a plain "not recovered". */
class ResumeTest {
    private static ParleyServer server;
    private static URI ws;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "parley.rate.per-second", "1000000",
                "parley.rate.burst", "1000000",
                "parley.history.size", "200000",
                "parley.outbox.max-messages", "200000",
                "parley.outbox.max-bytes", "100000000",
                "parley.history.on-join", "5"));
        ws = TestServer.ws(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static JsonNode joinWith(ChatClient c, String room, String name, String epoch, Long since) {
        ObjectNode join = ChatClient.obj("type", "join", "room", room, "name", name);
        if (epoch != null) {
            join.put("epoch", epoch);
        }
        if (since != null) {
            join.put("since", since);
        }
        c.send(join);
        return c.next("joined");
    }

    private static List<Long> seqs(List<JsonNode> messages) {
        return messages.stream().map(m -> m.path("seq").asLong()).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> r = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            r.add(s);
        }
        return r;
    }

    @Test
    void resumeWhileOthersSendAtFullSpeedIsExactlyContiguous() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<ChatClient> senders = new ArrayList<>();
        List<Thread> loops = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            ChatClient sender = ChatClient.open(ws).discardMessages();
            sender.join("busy", "sender" + s);
            senders.add(sender);
            int id = s;
            loops.add(Thread.ofVirtual().start(() -> {
                long n = 0;
                // As fast as the server acknowledges: closed-loop, so the test measures the hand-over, not buffers.
                while (running.get()) {
                    sender.say("busy", "s" + id + "-" + n++, null);
                    sender.next("ack");
                }
            }));
        }
        try {
            String epoch = null;
            Long since = null;
            for (int i = 0; i < 200; i++) {
                ChatClient c = ChatClient.open(ws);
                JsonNode joined = joinWith(c, "busy", "resumer", epoch, since);
                long head = joined.path("seq").asLong();
                if (since != null) {
                    assertThat(joined.path("recovered").asBoolean()).as("iteration %d recovered", i).isTrue();
                    assertThat(joined.path("epoch").asText()).isEqualTo(epoch);
                }
                // Wait for some live traffic after the replay, so the hand-over is inside what we check.
                await().atMost(ChatClient.WAIT).until(() -> {
                    List<JsonNode> m = c.messages("busy");
                    return !m.isEmpty() && m.getLast().path("seq").asLong() >= head + 5;
                });
                c.abort(); // a dropped connection, not a polite leave
                List<Long> got = seqs(c.messages("busy"));
                long first = since == null ? got.getFirst() : since + 1;
                assertThat(got).as("iteration %d: since=%s head=%d", i, since, head)
                        .isEqualTo(range(first, got.getLast()));
                since = got.getLast();
                epoch = joined.path("epoch").asText();
            }
        } finally {
            running.set(false);
            for (Thread t : loops) {
                t.join();
            }
            senders.forEach(ChatClient::close);
        }
    }

    @Test
    void unknownEpochOrSinceTooOldIsNotRecoveredAndGetsTheBacklog() {
        ParleyServer small = TestServer.start(Map.of("parley.history.size", "10", "parley.history.on-join", "3",
                                                     "parley.rate.per-second", "1000", "parley.rate.burst", "1000"));
        URI smallWs = TestServer.ws(small);
        try (ChatClient writer = ChatClient.joined(smallWs, "old", "writer")) {
            String epoch = writer.all("joined").getFirst().path("epoch").asText();
            for (int i = 1; i <= 25; i++) {
                writer.say("old", "m" + i, null);
            }
            writer.next(n -> n.path("seq").asLong() == 25 && n.path("type").asText().equals("ack"), "ack 25");

            // Same epoch, but seq 5 has left the ring (it holds 16..25).
            try (ChatClient c = ChatClient.open(smallWs)) {
                JsonNode joined = joinWith(c, "old", "late", epoch, 5L);
                assertThat(joined.path("recovered").asBoolean()).isFalse();
                assertThat(joined.path("seq").asLong()).isEqualTo(25);
                await().until(() -> c.messages("old").size() == 3);
                assertThat(seqs(c.messages("old"))).containsExactly(23L, 24L, 25L);
            }
            // The oldest still-held point resumes.
            try (ChatClient c = ChatClient.open(smallWs)) {
                JsonNode joined = joinWith(c, "old", "late", epoch, 15L);
                assertThat(joined.path("recovered").asBoolean()).isTrue();
                await().until(() -> c.messages("old").size() == 10);
                assertThat(seqs(c.messages("old"))).isEqualTo(range(16, 25));
            }
            // Another epoch (say, before a restart): not recovered, even though seq 20 exists here.
            try (ChatClient c = ChatClient.open(smallWs)) {
                JsonNode joined = joinWith(c, "old", "late", "0123456789abcdef", 20L);
                assertThat(joined.path("recovered").asBoolean()).isFalse();
                assertThat(joined.path("epoch").asText()).isEqualTo(epoch);
                await().until(() -> c.messages("old").size() == 3);
                assertThat(seqs(c.messages("old"))).containsExactly(23L, 24L, 25L);
            }
            // Up to date: recovered, nothing to replay.
            try (ChatClient c = ChatClient.open(smallWs)) {
                assertThat(joinWith(c, "old", "late", epoch, 25L).path("recovered").asBoolean()).isTrue();
                writer.say("old", "fresh", null);
                assertThat(c.next("message").path("seq").asLong()).isEqualTo(26);
            }
        } finally {
            small.stop();
        }
    }

    @Test
    void duplicateIdIsAcknowledgedNotRepublished() {
        try (ChatClient a = ChatClient.joined(ws, "dup", "alice");
             ChatClient b = ChatClient.joined(ws, "dup", "bob")) {
            a.say("dup", "once", "c-1");
            JsonNode first = a.next("ack");
            a.say("dup", "once", "c-1");
            JsonNode second = a.next("ack");
            assertThat(second.path("seq").asLong()).isEqualTo(first.path("seq").asLong());
            assertThat(second.path("id").asText()).isEqualTo("c-1");
            // The same id from another name is another message.
            b.say("dup", "mine", "c-1");
            long bobSeq = b.next("ack").path("seq").asLong();
            assertThat(bobSeq).isEqualTo(first.path("seq").asLong() + 1);

            for (ChatClient c : List.of(a, b)) {
                await().until(() -> c.messages("dup").size() == 2);
                a.send(ChatClient.obj("type", "ping"));
                a.next("pong");
                assertThat(c.messages("dup")).extracting(m -> m.path("text").asText()).containsExactly("once", "mine");
            }
            a.send(ChatClient.obj("type", "history", "room", "dup"));
            JsonNode history = a.next("history");
            assertThat(history.path("messages")).extracting(m -> m.path("text").asText()).containsExactly("once", "mine");
        }
    }

    @Test
    void historyPagesAreContiguousToTheBeginningOfTheRing() {
        ParleyServer small = TestServer.start(Map.of("parley.history.size", "50",
                                                     "parley.rate.per-second", "1000", "parley.rate.burst", "1000"));
        try (ChatClient c = ChatClient.joined(TestServer.ws(small), "pages", "p")) {
            for (int i = 1; i <= 120; i++) {
                c.say("pages", "m" + i, null);
            }
            c.next(n -> n.path("type").asText().equals("ack") && n.path("seq").asLong() == 120, "ack 120");
            List<Long> collected = new ArrayList<>();
            Long before = null;
            boolean more = true;
            int pages = 0;
            while (more) {
                ObjectNode q = ChatClient.obj("type", "history", "room", "pages", "limit", 15);
                if (before != null) {
                    q.put("before", before);
                }
                c.send(q);
                JsonNode page = c.next("history");
                List<Long> seqs = new ArrayList<>();
                page.path("messages").forEach(m -> seqs.add(m.path("seq").asLong()));
                assertThat(seqs).isNotEmpty().isSorted();
                collected.addAll(0, seqs);
                before = seqs.getFirst();
                more = page.path("more").asBoolean();
                assertThat(++pages).isLessThanOrEqualTo(4);
            }
            assertThat(collected).isEqualTo(range(71, 120));
        } finally {
            small.stop();
        }
    }

    @Test
    void slowConsumerCutOffWith1013ResumesWithEveryMessage() throws Exception {
        ParleyServer strict = TestServer.start(Map.of(
                "parley.rate.per-second", "100000", "parley.rate.burst", "100000",
                "parley.outbox.max-messages", "32", "parley.outbox.max-bytes", "65536",
                "parley.write-deadline", "PT30S", "parley.idle-timeout", "PT60S",
                // Every message on its own: a 20 ms batch of this flat-out sender's own messages
                // could fill its 32-message outbox on a busy machine and cut off the sender too.
                "parley.write-delay", "PT0S"));
        URI strictWs = TestServer.ws(strict);
        try (ChatClient sender = ChatClient.joined(strictWs, "lag", "sender").discardMessages();
             RawClient slow = RawClient.connect(strictWs, Map.of(), 4096)) {
            slow.read(); // hello
            slow.sendText("{\"type\":\"join\",\"room\":\"lag\",\"name\":\"slow\"}");
            JsonNode joined = ChatClient.JSON.readTree(slow.read().text());
            String epoch = joined.path("epoch").asText();
            int total = 0;
            // The slow member leaves the room the moment it is cut off (its socket closes later).
            while (strict.hub().room("lag").size() == 2) {
                assertThat(total).as("slow consumer never cut off").isLessThan(20_000);
                sender.say("lag", "m" + total++ + "-" + "z".repeat(500), null);
                sender.next("ack");
            }
            // Now read what did arrive, up to the close frame.
            List<Long> seen = new ArrayList<>();
            int closeCode;
            while (true) {
                RawClient.ServerFrame f = slow.read();
                if (f.opcode() == 0x8) {
                    closeCode = f.closeCode();
                    break;
                }
                if (f.opcode() == 0x1) {
                    for (String line : f.text().split("\n")) {
                        JsonNode n = ChatClient.JSON.readTree(line);
                        if (n.path("type").asText().equals("message")) {
                            seen.add(n.path("seq").asLong());
                        }
                    }
                }
            }
            assertThat(closeCode).isEqualTo(1013);
            long last = seen.isEmpty() ? 0 : seen.getLast();
            assertThat(seen).isEqualTo(range(1, last));

            int sent = total;
            try (ChatClient back = ChatClient.open(strictWs)) {
                assertThat(joinWith(back, "lag", "slow", epoch, last).path("recovered").asBoolean()).isTrue();
                await().atMost(ChatClient.WAIT).until(() -> back.messages("lag").size() == sent - last);
                assertThat(seqs(back.messages("lag"))).isEqualTo(range(last + 1, sent));
            }
        } finally {
            strict.stop();
        }
    }
}
