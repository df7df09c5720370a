package dev.parley.ws;

import java.net.URI;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input gets its documented error, the connection stays usable, and the other members of
 * the room see nothing of it.
 */
class BadInputTest {
    private static ParleyServer server;
    private static URI ws;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("parley.max-text-chars", "100", "parley.rooms.per-connection", "3"));
        ws = TestServer.ws(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static Stream<Arguments> badFrames() {
        return Stream.of(
                Arguments.of("not json", "bad_json", null),
                Arguments.of("[1,2]", "bad_json", null),
                Arguments.of("{\"type\":\"ping\"} {\"type\":\"ping\"}", "bad_json", null),
                Arguments.of("{\"type\":\"ping\"}xyz", "bad_json", null),
                Arguments.of("{\"room\":\"bad\"}", "unknown_type", null),
                Arguments.of("{\"type\":\"dance\"}", "unknown_type", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"has space\",\"name\":\"x\"}", "invalid_room", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"" + "r".repeat(65) + "\",\"name\":\"x\"}", "invalid_room", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"bad\",\"name\":\"\"}", "invalid_name", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"bad\",\"name\":\"   \"}", "invalid_name", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"bad\",\"name\":\"a\\u0007b\"}", "invalid_name", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"bad\",\"name\":\"" + "n".repeat(33) + "\"}", "invalid_name", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"bad\",\"name\":\"a\\u061Cb\"}", "invalid_name", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"bad\",\"name\":\"\\u200D\"}", "invalid_name", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"bad\",\"name\":\"\\u3164\"}", "invalid_name", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"bad\"}", "bad_request", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"bad\",\"name\":7}", "bad_request", null),
                Arguments.of("{\"type\":\"join\",\"room\":\"bad\",\"name\":\"x\",\"since\":-1}", "bad_request", null),
                Arguments.of("{\"type\":\"send\",\"room\":\"bad\",\"text\":\"hi\",\"id\":\"i1\"}", "not_joined", "i1"),
                Arguments.of("{\"type\":\"send\",\"room\":\"bad\",\"text\":\"\",\"id\":\"i2\"}", "invalid_text", "i2"),
                Arguments.of("{\"type\":\"send\",\"room\":\"bad\",\"text\":\"" + "t".repeat(101) + "\",\"id\":\"i3\"}", "text_too_long", "i3"),
                Arguments.of("{\"type\":\"send\",\"room\":\"bad\",\"text\":\"hi\",\"id\":\"" + "i".repeat(65) + "\"}", "invalid_id", null),
                // 65 code points, 130 UTF-16 units: ids count code points like every other length.
                Arguments.of("{\"type\":\"send\",\"room\":\"bad\",\"text\":\"hi\",\"id\":\"" + "😀".repeat(65) + "\"}", "invalid_id", null),
                // 64 code points (128 UTF-16 units) is a valid id: the error is about the room, with the id as ref.
                Arguments.of("{\"type\":\"send\",\"room\":\"bad\",\"text\":\"hi\",\"id\":\"" + "😀".repeat(64) + "\"}", "not_joined", "😀".repeat(64)),
                Arguments.of("{\"type\":\"leave\",\"room\":\"bad\"}", "not_joined", null),
                Arguments.of("{\"type\":\"history\",\"room\":\"bad\"}", "not_joined", null),
                Arguments.of("{\"type\":\"history\",\"room\":\"bad\",\"limit\":0}", "bad_request", null));
    }

    @ParameterizedTest
    @MethodSource("badFrames")
    void badFrameGetsItsErrorAndNothingElseHappens(String frame, String code, String ref) {
        try (ChatClient bystander = ChatClient.joined(ws, "quiet", "bystander");
             ChatClient culprit = ChatClient.open(ws)) {
            culprit.sendText(frame);
            JsonNode error = culprit.next("error");
            assertThat(error.path("code").asText()).isEqualTo(code);
            assertThat(error.path("message").asText()).isNotBlank();
            if (ref != null) {
                assertThat(error.path("ref").asText()).isEqualTo(ref);
            }
            // Still open and usable.
            culprit.send(ChatClient.obj("type", "ping"));
            culprit.next("pong");
            // The bystander saw nothing but its own hello and joined.
            bystander.send(ChatClient.obj("type", "ping"));
            bystander.next("pong");
            assertThat(bystander.all()).extracting(n -> n.path("type").asText())
                    .containsExactly("hello", "joined", "pong");
        }
    }

    @Test
    void aFloodOfBadFramesIsClosedAsAbuse() {
        try (ChatClient bystander = ChatClient.joined(ws, "flood", "bystander");
             ChatClient flooder = ChatClient.open(ws)) {
            try {
                for (int i = 0; i < Connection.ERRORS_BURST + 20 && !flooder.isClosed(); i++) {
                    flooder.sendText("garbage " + i);
                }
            } catch (java.util.concurrent.CompletionException closedUnderUs) {
                // the server closed while we were still sending: that is the point
            }
            assertThat(flooder.awaitClose()).isEqualTo(1008);
            // Errors still queued when the close was decided are dropped with the rest of the queue.
            assertThat(flooder.all("error").size()).isLessThanOrEqualTo(Connection.ERRORS_BURST);
            bystander.send(ChatClient.obj("type", "ping"));
            bystander.next("pong");
            assertThat(bystander.isClosed()).isFalse();
        }
    }

    @Test
    void textLimitCountsCharactersNotBytes() {
        try (ChatClient c = ChatClient.joined(ws, "chars", "c")) {
            c.say("chars", "é".repeat(100), "ok"); // 100 characters, 200 bytes: allowed
            assertThat(c.next("ack").path("id").asText()).isEqualTo("ok");
        }
    }

    @Test
    void emojiNamesAreFineButBidiOverridesAreNot() {
        try (ChatClient c = ChatClient.open(ws)) {
            assertThat(c.join("names", "dev \uD83D\uDC69\u200D\uD83D\uDCBB").path("members").get(0).asText())
                    .isEqualTo("dev \uD83D\uDC69\u200D\uD83D\uDCBB");
            c.send(ChatClient.obj("type", "join", "room", "names2", "name", "admin\u202Egnp.exe"));
            assertThat(c.next("error").path("code").asText()).isEqualTo("invalid_name");
        }
    }

    @Test
    void unknownFieldsAreIgnored() {
        try (ChatClient c = ChatClient.open(ws)) {
            c.sendText("{\"type\":\"join\",\"room\":\"fwd\",\"name\":\"f\",\"colour\":\"blue\"}");
            c.next("joined");
        }
    }

    @Test
    void joinTwiceAndTooManyRooms() {
        try (ChatClient c = ChatClient.joined(ws, "r1", "x")) {
            c.send(ChatClient.obj("type", "join", "room", "r1", "name", "x"));
            assertThat(c.next("error").path("code").asText()).isEqualTo("already_joined");
            c.join("r2", "x");
            c.join("r3", "x");
            c.send(ChatClient.obj("type", "join", "room", "r4", "name", "x"));
            JsonNode e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("too_many_rooms");
            assertThat(e.path("room").asText()).isEqualTo("r4");
        }
    }

    @Test
    void rateLimitDropsExcessSendsAndKeepsTheConnection() {
        try (ChatClient c = ChatClient.joined(ws, "rate", "spammer");
             ChatClient other = ChatClient.joined(ws, "rate", "other")) {
            int burst = server.config().rateBurst();
            for (int i = 0; i < burst + 10; i++) {
                c.say("rate", "m" + i, "m" + i);
            }
            JsonNode limited = c.next("error");
            assertThat(limited.path("code").asText()).isEqualTo("rate_limited");
            assertThat(limited.path("ref").asText()).startsWith("m");
            c.send(ChatClient.obj("type", "ping"));
            c.next("pong");
            // Only accepted sends were published: acks and messages match one to one.
            other.send(ChatClient.obj("type", "ping"));
            other.next("pong");
            int acks = c.all("ack").size();
            assertThat(acks).isBetween(burst, burst + 9);
            assertThat(c.all("ack").size() + c.all("error").size()).isEqualTo(burst + 10);
            org.awaitility.Awaitility.await().until(() -> other.messages("rate").size() == acks);
        }
    }
}
