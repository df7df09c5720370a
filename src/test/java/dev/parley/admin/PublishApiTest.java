package dev.parley.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static dev.parley.support.ChatClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

/** The back-end API on the admin port, over real HTTP, with WebSocket members watching. */
class PublishApiTest {
    static final String OLD_KEY = "old-key-0123456789abcdef";
    static final String NEW_KEY = "new-key-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ParleyServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("parley.api.keys", OLD_KEY + "," + NEW_KEY));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static HttpResponse<String> call(ParleyServer s, String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String room, String key, Object body) throws Exception {
        return call(server, "POST", "/api/v1/rooms/" + room + "/messages", key, body.toString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void aMissingOrWrongKeyGets401WithNoDetail() throws Exception {
        try (ChatClient member = ChatClient.joined(TestServer.ws(server), "keys", "member")) {
            for (String key : new String[] {null, "wrong-key-0123456789abcdef", OLD_KEY + "x", ""}) {
                HttpResponse<String> r = post("keys", key, obj("from", "bot", "text", "hi"));
                assertThat(r.statusCode()).as("key " + key).isEqualTo(401);
                assertThat(r.body()).isEmpty();
            }
            assertThat(call(server, "GET", "/api/v1/rooms/keys", null, null).statusCode()).isEqualTo(401);
            assertThat(member.messages("keys")).isEmpty();
        }
    }

    @Test
    void bothKeysWorkDuringARotation() throws Exception {
        try (ChatClient member = ChatClient.joined(TestServer.ws(server), "rotation", "member")) {
            assertThat(post("rotation", OLD_KEY, obj("from", "bot", "text", "old")).statusCode()).isEqualTo(201);
            assertThat(post("rotation", NEW_KEY, obj("from", "bot", "text", "new")).statusCode()).isEqualTo(201);
        }
    }

    @Test
    void keysMayComeFromAMountedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("api-keys");
        Files.writeString(file, "# rotated monthly\nfile-key-0123456789abcdef\n\n");
        ParleyServer s = TestServer.start(Map.of("parley.api.keys-file", file.toString()));
        try {
            assertThat(call(s, "GET", "/api/v1/rooms/none", "file-key-0123456789abcdef", null).statusCode()).isEqualTo(404);
            assertThat(call(s, "GET", "/api/v1/rooms/none", OLD_KEY, null).statusCode()).isEqualTo(401);
        } finally {
            s.stop();
        }
    }

    /** HTTP posts and WebSocket sends share one seq order, and members see both in it. */
    @Test
    void aPostedMessageReachesMembersInSeqOrderWithTheOthers() throws Exception {
        try (ChatClient alice = ChatClient.joined(TestServer.ws(server), "mixed", "alice");
             ChatClient bob = ChatClient.joined(TestServer.ws(server), "mixed", "bob")) {
            String epoch = alice.all("joined").getFirst().path("epoch").asText();
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                seqs.add(alice.sayAndAwaitAck("mixed", "ws " + i));
                HttpResponse<String> r = post("mixed", OLD_KEY, obj("from", "deploy-bot", "text", "http " + i, "id", "deploy-" + i));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                JsonNode posted = json(r);
                assertThat(posted.path("room").asText()).isEqualTo("mixed");
                assertThat(posted.path("epoch").asText()).isEqualTo(epoch);
                seqs.add(posted.path("seq").asLong());
            }
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
            org.awaitility.Awaitility.await().until(() -> bob.messages("mixed").size() == 10);
            List<JsonNode> got = bob.messages("mixed");
            assertThat(got).extracting(m -> m.path("seq").asLong()).containsExactlyElementsOf(seqs);
            assertThat(got.get(1).path("from").asText()).isEqualTo("deploy-bot");
            assertThat(got.get(1).path("text").asText()).isEqualTo("http 0");
            assertThat(got.get(1).path("id").asText()).isEqualTo("deploy-0");
        }
    }

    @Test
    void aRetryWithTheSameIdIsPublishedOnce() throws Exception {
        try (ChatClient member = ChatClient.joined(TestServer.ws(server), "retry", "member")) {
            HttpResponse<String> first = post("retry", OLD_KEY, obj("from", "alerts", "text", "disk full", "id", "alert-77"));
            HttpResponse<String> again = post("retry", NEW_KEY, obj("from", "alerts", "text", "disk full", "id", "alert-77"));
            assertThat(first.statusCode()).isEqualTo(201);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(json(again).path("seq").asLong()).isEqualTo(json(first).path("seq").asLong());
            assertThat(json(again).path("duplicate").asBoolean()).isTrue();
            long after = member.sayAndAwaitAck("retry", "next");
            org.awaitility.Awaitility.await().until(() -> member.messages("retry").stream().anyMatch(m -> m.path("seq").asLong() == after));
            assertThat(member.messages("retry")).filteredOn(m -> m.path("text").asText().equals("disk full")).hasSize(1);
        }
    }

    @Test
    void invalidInputGetsTheProtocolsErrorCodes() throws Exception {
        try (ChatClient member = ChatClient.joined(TestServer.ws(server), "checks", "member")) {
            Map<String, Object> cases = Map.of(
                    "invalid_text", obj("from", "bot", "text", ""),
                    "text_too_long", obj("from", "bot", "text", "x".repeat(server.config().maxTextChars() + 1)),
                    "invalid_name", obj("from", "", "text", "hi"),
                    "bad_request", obj("text", "hi"),
                    "invalid_id", obj("from", "bot", "text", "hi", "id", "i".repeat(65)));
            for (var c : cases.entrySet()) {
                HttpResponse<String> r = post("checks", OLD_KEY, c.getValue());
                assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
                assertThat(json(r).path("error").asText()).as(r.body()).isEqualTo(c.getKey());
            }
            HttpResponse<String> notJson = call(server, "POST", "/api/v1/rooms/checks/messages", OLD_KEY, "{not json");
            assertThat(notJson.statusCode()).isEqualTo(400);
            assertThat(json(notJson).path("error").asText()).isEqualTo("bad_json");
            HttpResponse<String> badRoom = post("bad%20room", OLD_KEY, obj("from", "bot", "text", "hi"));
            assertThat(json(badRoom).path("error").asText()).isEqualTo("invalid_room");
            assertThat(member.messages("checks")).isEmpty();
        }
    }

    @Test
    void roomDetailsAndHistoryPages() throws Exception {
        try (ChatClient alice = ChatClient.joined(TestServer.ws(server), "details", "alice");
             ChatClient bob = ChatClient.joined(TestServer.ws(server), "details", "bob")) {
            long last = 0;
            for (int i = 1; i <= 5; i++) {
                last = alice.sayAndAwaitAck("details", "m" + i);
            }
            JsonNode room = json(call(server, "GET", "/api/v1/rooms/details", OLD_KEY, null));
            assertThat(room.path("members")).extracting(JsonNode::asText).containsExactlyInAnyOrder("alice", "bob");
            assertThat(room.path("seq").asLong()).isEqualTo(last);
            assertThat(room.path("epoch").asText()).isEqualTo(alice.all("joined").getFirst().path("epoch").asText());

            JsonNode page = json(call(server, "GET", "/api/v1/rooms/details/messages?before=" + last + "&limit=2", OLD_KEY, null));
            assertThat(page.path("messages")).extracting(m -> m.path("seq").asLong()).containsExactly(last - 2, last - 1);
            assertThat(page.path("more").asBoolean()).isTrue();
            HttpResponse<String> bad = call(server, "GET", "/api/v1/rooms/details/messages?limit=zero", OLD_KEY, null);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(call(server, "GET", "/api/v1/rooms/nobody-here", OLD_KEY, null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void requestsAreRateLimitedPerKey() throws Exception {
        ParleyServer s = TestServer.start(Map.of("parley.api.keys", OLD_KEY + "," + NEW_KEY,
                                                 "parley.api.rate.per-second", "0.001", "parley.api.rate.burst", "2"));
        try {
            assertThat(call(s, "GET", "/api/v1/rooms/r", OLD_KEY, null).statusCode()).isEqualTo(404);
            assertThat(call(s, "GET", "/api/v1/rooms/r", OLD_KEY, null).statusCode()).isEqualTo(404);
            HttpResponse<String> limited = call(s, "GET", "/api/v1/rooms/r", OLD_KEY, null);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
            assertThat(call(s, "GET", "/api/v1/rooms/r", NEW_KEY, null).statusCode()).as("the other key").isEqualTo(404);
        } finally {
            s.stop();
        }
    }

    @Test
    void aBodyLargerThanAFrameIsRefusedUnread() throws Exception {
        String huge = "{\"from\":\"bot\",\"text\":\"" + "x".repeat(server.config().maxFrameBytes()) + "\"}";
        // As a well-behaved client of a large upload does: ask first (Expect: 100-continue). The
        // server answers 413 from the headers alone and closes; a client that pushed the body
        // regardless could see that close as a reset before it reads the answer.
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + "/api/v1/rooms/big/messages"))
                .expectContinue(true)
                .header("Authorization", "Bearer " + OLD_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(huge))
                .build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void theApiIsNotOnThePublicPort() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(TestServer.http(server, "/api/v1/rooms/x/messages"))
                                                   .header("Authorization", "Bearer " + OLD_KEY)
                                                   .POST(HttpRequest.BodyPublishers.ofString("{\"from\":\"a\",\"text\":\"b\"}")).build(),
                                           HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isIn(404, 405);
    }

    @Test
    void aPostToARoomNoOneHasJoinedCreatesIt() throws Exception {
        HttpResponse<String> r = post("brand-new", OLD_KEY, obj("from", "bot", "text", "first!"));
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(json(r).path("seq").asLong()).isEqualTo(1);
        try (ChatClient late = ChatClient.open(TestServer.ws(server))) {
            late.send(obj("type", "join", "room", "brand-new", "name", "late"));
            late.next("joined");
            assertThat(late.next("message").path("text").asText()).isEqualTo("first!");
        }
    }

    @Test
    void listsRoomsWithMemberCounts() throws Exception {
        try (ChatClient a = ChatClient.joined(TestServer.ws(server), "listed", "a")) {
            JsonNode rooms = json(call(server, "GET", "/api/v1/rooms", OLD_KEY, null)).path("rooms");
            JsonNode listed = null;
            for (JsonNode r : rooms) {
                if (r.path("room").asText().equals("listed")) {
                    listed = r;
                }
            }
            assertThat(listed).isNotNull();
            assertThat(listed.path("members").asInt()).isEqualTo(1);
        }
    }
}
