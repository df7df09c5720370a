package dev.parley.auth;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

import static dev.parley.support.ChatClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

/** Signed identities over real WebSockets, with HS256 tokens made in the test. */
class JwtAuthTest {
    private static ParleyServer server;

    static Map<String, String> jwtConfig(Map<String, String> more) {
        Map<String, String> c = new HashMap<>(Map.of(
                "parley.auth.mode", "jwt",
                "parley.auth.jwt.secret", Tokens.SECRET,
                "parley.auth.jwt.issuer", Tokens.ISSUER,
                "parley.auth.jwt.audience", Tokens.AUDIENCE,
                "parley.auth.token-url", "/app/chat-token"));
        c.putAll(more);
        return c;
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(jwtConfig(Map.of()));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static ChatClient authed(String sub, String name) {
        ChatClient c = ChatClient.open(TestServer.ws(server));
        c.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims(sub, name, b -> { }))));
        JsonNode ok = c.next("authenticated");
        assertThat(ok.path("user").asText()).isEqualTo(sub);
        return c;
    }

    @Test
    void helloAnnouncesTheModeAndTheTokenUrl() {
        try (ChatClient c = ChatClient.open(TestServer.ws(server))) {
            JsonNode hello = c.all("hello").getFirst();
            assertThat(hello.path("auth").asText()).isEqualTo("jwt");
            assertThat(hello.path("tokenUrl").asText()).isEqualTo("/app/chat-token");
        }
    }

    @Test
    void nothingButAuthIsAcceptedBeforeAToken() {
        try (ChatClient c = ChatClient.open(TestServer.ws(server))) {
            c.send(obj("type", "join", "room", "early", "name", "eve"));
            assertThat(c.next("error").path("code").asText()).isEqualTo("auth_required");
            c.send(obj("type", "ping"));
            assertThat(c.next("error").path("code").asText()).isEqualTo("auth_required");
            c.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u-eve", "Eve", b -> { }))));
            JsonNode ok = c.next("authenticated");
            assertThat(ok.path("name").asText()).isEqualTo("Eve");
            assertThat(ok.path("exp").asLong()).isGreaterThan(Instant.now().getEpochSecond());
            c.send(obj("type", "join", "room", "early"));
            assertThat(c.next("joined").path("members")).extracting(JsonNode::asText).containsExactly("Eve");
        }
    }

    /** The name in join is ignored: presence and messages carry the token's name, whatever the client asked for. */
    @Test
    void aNameInJoinCannotImpersonateAnotherUser() {
        try (ChatClient bob = authed("u-bob", "Bob");
             ChatClient mallory = authed("u-mallory", "Mallory")) {
            bob.send(obj("type", "join", "room", "imp"));
            bob.next("joined");
            mallory.send(obj("type", "join", "room", "imp", "name", "Bob"));
            JsonNode joined = mallory.next("joined");
            assertThat(joined.path("members")).extracting(JsonNode::asText).containsExactlyInAnyOrder("Bob", "Mallory");
            JsonNode presence = bob.next(n -> "presence".equals(n.path("type").asText()), "presence");
            assertThat(presence.path("name").asText()).isEqualTo("Mallory");
            long seq = mallory.sayAndAwaitAck("imp", "hi, I am Bob");
            JsonNode m = bob.next(n -> "message".equals(n.path("type").asText()) && n.path("seq").asLong() == seq, "message");
            assertThat(m.path("from").asText()).isEqualTo("Mallory");
        }
    }

    @Test
    void theNameFallsBackToSub() {
        try (ChatClient c = authed("u-nameless", null)) {
            c.send(obj("type", "join", "room", "noname"));
            assertThat(c.next("joined").path("members")).extracting(JsonNode::asText).containsExactly("u-nameless");
        }
    }

    static List<Arguments> refusedTokens() {
        Instant now = Instant.now();
        return List.of(
                Arguments.of("expired", Tokens.hs256(Tokens.claims("u", "U", b -> b.expirationTime(Date.from(now.minusSeconds(120))))),
                             "token expired"),
                Arguments.of("not yet valid", Tokens.hs256(Tokens.claims("u", "U", b -> b.notBeforeTime(Date.from(now.plusSeconds(600))))),
                             "token not yet valid"),
                Arguments.of("wrong issuer", Tokens.hs256(Tokens.claims("u", "U", b -> b.issuer("https://evil.test/"))),
                             "wrong issuer"),
                Arguments.of("wrong audience", Tokens.hs256(Tokens.claims("u", "U", b -> b.audience("other-app"))),
                             "wrong audience"),
                Arguments.of("wrong signature", Tokens.hs256(Tokens.claims("u", "U", b -> { }), "another-secret-also-32-bytes-long!!"),
                             "invalid signature or unknown key"),
                Arguments.of("alg none", Tokens.unsigned(Tokens.claims("u", "U", b -> { })),
                             "only signed tokens"),
                Arguments.of("no exp", Tokens.hs256(Tokens.claims("u", "U", b -> b.expirationTime(null))),
                             "required claim"),
                Arguments.of("garbage", "not.a.jwt", "malformed token"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void aBadTokenIsRefusedAndTheClientMayTryAgain(String what, String token, String answer) {
        try (ChatClient c = ChatClient.open(TestServer.ws(server))) {
            c.send(obj("type", "auth", "token", token));
            JsonNode e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("auth_failed");
            assertThat(e.path("message").asText()).contains(answer);
            c.send(obj("type", "join", "room", "after-refusal", "name", "x"));
            assertThat(c.next("error").path("code").asText()).isEqualTo("auth_required");
            c.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u-retry", "Retry", b -> { }))));
            c.next("authenticated");
            assertThat(c.isClosed()).isFalse();
        }
    }

    @Test
    void aTokenForOtherRoomsIsRefusedHere() {
        try (ChatClient c = ChatClient.open(TestServer.ws(server))) {
            c.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u-agent", "Agent", Tokens.rooms(List.of("support-*", "lobby"))))));
            c.next("authenticated");
            c.send(obj("type", "join", "room", "general"));
            JsonNode e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("forbidden");
            assertThat(e.path("room").asText()).isEqualTo("general");
            c.send(obj("type", "join", "room", "support-42"));
            c.next("joined");
            c.send(obj("type", "join", "room", "lobby"));
            c.next("joined");
        }
    }

    @Test
    void aReadOnlyRoomMayBeJoinedButNotWrittenTo() {
        try (ChatClient c = ChatClient.open(TestServer.ws(server))) {
            c.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u-reader", "Reader",
                    b -> b.claim("read_only_rooms", List.of("announce*"))))));
            c.next("authenticated");
            c.send(obj("type", "join", "room", "announcements"));
            c.next("joined");
            c.say("announcements", "may I?", "ro-1");
            JsonNode e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("forbidden");
            assertThat(e.path("ref").asText()).isEqualTo("ro-1");
            c.send(obj("type", "join", "room", "chatter"));
            c.next("joined");
            c.sayAndAwaitAck("chatter", "here I may");
        }
    }

    /** A reader in a read-only room never shows as typing there; in a room it may write to it does. */
    @Test
    void aReadOnlyMemberSendsNoTypingNotices() {
        try (ChatClient reader = ChatClient.open(TestServer.ws(server));
             ChatClient writer = authed("u-writer", "Writer")) {
            reader.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u-quiet", "Quiet",
                    b -> b.claim("read_only_rooms", List.of("bulletin"))))));
            reader.next("authenticated");
            for (String room : List.of("bulletin", "talk")) {
                writer.send(obj("type", "join", "room", room));
                writer.next(n -> "joined".equals(n.path("type").asText()) && room.equals(n.path("room").asText()), "joined " + room);
                reader.send(obj("type", "join", "room", room));
                reader.next(n -> "joined".equals(n.path("type").asText()) && room.equals(n.path("room").asText()), "joined " + room);
            }
            reader.send(obj("type", "typing", "room", "bulletin"));
            reader.send(obj("type", "typing", "room", "talk"));
            JsonNode notice = writer.next("typing");
            assertThat(notice.path("room").asText()).isEqualTo("talk");
            // Behind a message of its own in the bulletin room, the writer has seen no notice there.
            long seq = writer.sayAndAwaitAck("bulletin", "news");
            writer.next(n -> n.path("seq").asLong() == seq && "bulletin".equals(n.path("room").asText()), "the news");
            assertThat(writer.all("typing")).extracting(n -> n.path("room").asText()).containsExactly("talk");
            assertThat(reader.all("error")).isEmpty();
        }
    }

    @Test
    void aRefreshMustBeForTheSameUser() {
        try (ChatClient c = authed("u-first", "First")) {
            c.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u-second", "Second", b -> { }))));
            JsonNode e = c.next("error");
            assertThat(e.path("code").asText()).isEqualTo("auth_failed");
            c.send(obj("type", "join", "room", "still-first"));
            assertThat(c.next("joined").path("members")).extracting(JsonNode::asText).containsExactly("First");
        }
    }

    @Test
    void withoutATokenInTimeTheConnectionIsClosedWith4001() {
        ParleyServer quick = TestServer.start(jwtConfig(Map.of("parley.auth.timeout", "PT0.5S")));
        try (ChatClient c = ChatClient.open(TestServer.ws(quick))) {
            assertThat(c.awaitClose()).isEqualTo(4001);
        } finally {
            quick.stop();
        }
    }

    /**
     * Told before exp, the client sends a fresh token on the same connection: it stays, in its
     * rooms, past the first token's expiry and grace.
     */
    @Test
    void aRefreshKeepsTheConnectionAndItsRooms() {
        ParleyServer s = TestServer.start(jwtConfig(Map.of("parley.auth.expiry-notice", "PT2S",
                                                            "parley.auth.expiry-grace", "PT0.5S")));
        try (ChatClient c = ChatClient.open(TestServer.ws(s));
             ChatClient other = ChatClient.open(TestServer.ws(s))) {
            Instant exp = Instant.now().plusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            c.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u-long", "Long", b -> b.expirationTime(Date.from(exp))))));
            c.next("authenticated");
            other.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u-other", "Other", b -> { }))));
            other.next("authenticated");
            c.send(obj("type", "join", "room", "long-chat"));
            c.next("joined");
            other.send(obj("type", "join", "room", "long-chat"));
            other.next("joined");

            JsonNode expiring = c.next("auth_expiring");
            assertThat(expiring.path("in").asLong()).isBetween(0L, 3L);
            c.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u-long", "Long", b -> { }))));
            c.next("authenticated");

            // Past the first token's exp + grace: still open, still in the room.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> Instant.now().isAfter(exp.plusSeconds(2)));
            assertThat(c.isClosed()).isFalse();
            long seq = c.sayAndAwaitAck("long-chat", "still here");
            JsonNode got = other.next(n -> "message".equals(n.path("type").asText()) && n.path("seq").asLong() == seq, "message " + seq);
            // The verified id travels with the name, so two people called "Long" can be told apart.
            assertThat(got.path("from").asText()).isEqualTo("Long");
            assertThat(got.path("user").asText()).isEqualTo("u-long");
        } finally {
            s.stop();
        }
    }

    @Test
    void anExpiredTokenClosesTheConnectionWith4002AfterTheGrace() {
        ParleyServer s = TestServer.start(jwtConfig(Map.of("parley.auth.expiry-notice", "PT1S",
                                                            "parley.auth.expiry-grace", "PT0.5S")));
        try (ChatClient c = ChatClient.open(TestServer.ws(s))) {
            // exp is whole seconds in a JWT
            Instant exp = Instant.now().plusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            c.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u-short", "Short", b -> b.expirationTime(Date.from(exp))))));
            c.next("authenticated");
            c.next("auth_expiring");
            assertThat(c.awaitClose()).isEqualTo(4002);
            assertThat(Instant.now()).isAfter(exp.plusMillis(500));
        } finally {
            s.stop();
        }
    }

    @Test
    void withAuthOffTheClientChoosesItsName() {
        ParleyServer open = TestServer.start(Map.of());
        try (ChatClient c = ChatClient.open(TestServer.ws(open))) {
            assertThat(c.all("hello").getFirst().path("auth").asText()).isEqualTo("none");
            c.send(obj("type", "join", "room", "free"));
            assertThat(c.next("error").path("code").asText()).isEqualTo("bad_request");
            c.send(obj("type", "join", "room", "free", "name", "anyone"));
            assertThat(c.next("joined").path("members")).extracting(JsonNode::asText).containsExactly("anyone");
            c.send(obj("type", "auth", "token", Tokens.hs256(Tokens.claims("u", "U", b -> { }))));
            assertThat(c.next("error").path("code").asText()).isEqualTo("auth_failed");
        } finally {
            open.stop();
        }
    }
}
