package dev.parley.ws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Limits that stop abuse, not people: a fast sender is slowed, a flooder is cut, a full node says 503. */
class LimitsTest {

    @Test
    void helloTellsTheClientTheRateAndBurst() {
        ParleyServer server = TestServer.start(Map.of("parley.rate.per-second", "7.5", "parley.rate.burst", "12"));
        try (ChatClient c = ChatClient.open(TestServer.ws(server))) {
            JsonNode hello = c.all("hello").getFirst();
            assertThat(hello.path("rate").asDouble()).isEqualTo(7.5);
            assertThat(hello.path("burst").asInt()).isEqualTo(12);
        } finally {
            server.stop();
        }
    }

    /**
     * A page that pastes 300 lines, then retries every refused one at once: each refused send gets
     * rate_limited (far more than the 50 answers that end a client sending invalid messages), and
     * the connection stays open throughout.
     */
    @Test
    void aBurstFarBeyondTheRateIsSlowedNotCut() {
        ParleyServer server = TestServer.start(Map.of("parley.rate.per-second", "1", "parley.rate.burst", "40"));
        try (ChatClient paster = ChatClient.joined(TestServer.ws(server), "paste", "paster")) {
            List<String> refused = sendAll(paster, "paste", 300, "a");
            assertThat(refused.size()).as("refused of 300").isGreaterThan(AnswerBudget.ERRORS_BURST * 4);
            List<String> refusedAgain = sendAll(paster, "paste", refused.size(), "b");
            assertThat(refusedAgain.size()).isGreaterThan(AnswerBudget.ERRORS_BURST * 4);
            paster.send(ChatClient.obj("type", "ping"));
            paster.next("pong");
            assertThat(paster.isClosed()).isFalse();
        } finally {
            server.stop();
        }
    }

    /**
     * A client that keeps sending regardless of its rate_limited answers is closed with 1008 in
     * the end, after the answers already queued: the client sees why.
     */
    @Test
    void aClientThatFloodsRegardlessIsClosed() {
        ParleyServer server = TestServer.start(Map.of("parley.rate.per-second", "1", "parley.rate.burst", "1"));
        try (ChatClient bystander = ChatClient.joined(TestServer.ws(server), "flood", "bystander");
             ChatClient flooder = ChatClient.joined(TestServer.ws(server), "flood", "flooder")) {
            try {
                for (int i = 0; i < AnswerBudget.FLOOD_BURST * 3 && !flooder.isClosed(); i++) {
                    flooder.say("flood", "x" + i, "f" + i);
                }
            } catch (java.util.concurrent.CompletionException closedUnderUs) {
                // the server closed while we were still sending: that is the point
            }
            assertThat(flooder.awaitClose()).isEqualTo(1008);
            assertThat(flooder.all("error")).allMatch(e -> e.path("code").asText().equals("rate_limited"));
            // Every answer queued before the close reaches the client first: the burst, all of it.
            assertThat(flooder.all("error").size()).isGreaterThanOrEqualTo(AnswerBudget.FLOOD_BURST);
            bystander.send(ChatClient.obj("type", "ping"));
            bystander.next("pong");
            assertThat(bystander.isClosed()).isFalse();
        } finally {
            server.stop();
        }
    }

    @Test
    void upgradesBeyondConnectionsMaxAreAnswered503AndTheLimitFreesUp() throws Exception {
        ParleyServer server = TestServer.start(Map.of("parley.connections.max", "2"));
        try (ChatClient one = ChatClient.open(TestServer.ws(server));
             ChatClient two = ChatClient.open(TestServer.ws(server))) {
            await().until(() -> server.connections().size() == 2);
            try (RawClient third = RawClient.connect(TestServer.ws(server))) {
                assertThat(third.status()).isEqualTo(503);
            }
            one.close();
            await().until(() -> server.connections().size() == 1);
            try (ChatClient again = ChatClient.open(TestServer.ws(server))) {
                again.send(ChatClient.obj("type", "ping"));
                again.next("pong");
            }
            assertThat(two.isClosed()).isFalse();
        } finally {
            server.stop();
        }
    }

    /** Sends {@code n} messages at once, waits for an answer to each, returns the ids refused as rate_limited. */
    private static List<String> sendAll(ChatClient c, String room, int n, String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = prefix + i;
            ids.add(id);
            c.say(room, "line " + i, id);
        }
        String last = ids.getLast();
        c.next(m -> last.equals(m.path("id").asText()) || last.equals(m.path("ref").asText()), "answer to " + last);
        List<String> refused = new ArrayList<>();
        for (JsonNode e : c.all("error")) {
            assertThat(e.path("code").asText()).isEqualTo("rate_limited");
            if (e.path("ref").asText().startsWith(prefix)) {
                refused.add(e.path("ref").asText());
            }
        }
        return refused;
    }
}
