package dev.parley.auth;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

import static dev.parley.support.ChatClient.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RS256 with a PEM public key file, ES256 from a JWKS endpoint served by the test, with key rotation. */
class KeySourcesTest {

    @Test
    void rs256WithAPemPublicKey(@TempDir Path dir) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair issuer = gen.generateKeyPair();
        KeyPair stranger = gen.generateKeyPair();
        Path pem = dir.resolve("jwt.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                               + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(issuer.getPublic().getEncoded())
                               + "\n-----END PUBLIC KEY-----\n");
        ParleyServer server = TestServer.start(Map.of("parley.auth.mode", "jwt", "parley.auth.jwt.public-key", pem.toString()));
        try (ChatClient c = ChatClient.open(TestServer.ws(server))) {
            c.send(obj("type", "auth", "token", rs256(stranger, "u-rsa")));
            assertThat(c.next("error").path("message").asText()).contains("invalid signature");
            c.send(obj("type", "auth", "token", rs256(issuer, "u-rsa")));
            assertThat(c.next("authenticated").path("user").asText()).isEqualTo("u-rsa");
        } finally {
            server.stop();
        }
    }

    /** Keys come from the issuer's JWKS; a token with a new kid makes the server fetch again and accept it. */
    @Test
    void es256FromAJwksUrlPicksUpARotatedKey() throws Exception {
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        AtomicReference<String> published = new AtomicReference<>(new JWKSet(first.toPublicJWK()).toString());
        AtomicInteger fetches = new AtomicInteger();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/jwks.json", ex -> {
            fetches.incrementAndGet();
            byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        jwks.start();
        ParleyServer server = TestServer.start(Map.of(
                "parley.auth.mode", "jwt",
                "parley.auth.jwt.jwks-url", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json"));
        try (ChatClient c = ChatClient.open(TestServer.ws(server))) {
            c.send(obj("type", "auth", "token", es256(first, "u-ec")));
            assertThat(c.next("authenticated").path("user").asText()).isEqualTo("u-ec");
            int afterFirst = fetches.get();
            assertThat(afterFirst).isEqualTo(1);

            // The issuer rotates: the new key is published, tokens are signed with it.
            published.set(new JWKSet(java.util.List.of(first.toPublicJWK(), second.toPublicJWK())).toString());
            c.send(obj("type", "auth", "token", es256(second, "u-ec")));
            JsonNode answer = c.next(n -> n.path("type").asText().matches("authenticated|error"), "answer to the rotated token");
            assertThat(answer.path("type").asText()).as(answer.toString()).isEqualTo("authenticated");
            assertThat(fetches.get()).isEqualTo(afterFirst + 1);

            // A known kid is served from the cache.
            c.send(obj("type", "auth", "token", es256(first, "u-ec")));
            c.next("authenticated");
            assertThat(fetches.get()).isEqualTo(afterFirst + 1);
        } finally {
            server.stop();
            jwks.stop(0);
        }
    }

    @Test
    void jwtModeNeedsExactlyOneKeySource() {
        assertThatThrownBy(() -> TestServer.start(Map.of("parley.auth.mode", "jwt")))
                .hasMessageContaining("exactly one of parley.auth.jwt.secret");
        assertThatThrownBy(() -> TestServer.start(Map.of("parley.auth.mode", "jwt", "parley.auth.jwt.secret", Tokens.SECRET,
                                                         "parley.auth.jwt.jwks-url", "http://127.0.0.1:1/jwks")))
                .hasMessageContaining("2 are set");
        assertThatThrownBy(() -> TestServer.start(Map.of("parley.auth.mode", "jwt", "parley.auth.jwt.secret", "short")))
                .hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> TestServer.start(Map.of("parley.auth.mode", "password")))
                .hasMessageContaining("parley.auth.mode must be none or jwt");
    }

    private static String rs256(KeyPair pair, String sub) throws JOSEException {
        return Tokens.sign(new RSASSASigner((RSAPrivateKey) pair.getPrivate()), JWSAlgorithm.RS256, null,
                           Tokens.claims(sub, null, b -> { }));
    }

    private static String es256(ECKey key, String sub) throws JOSEException {
        return Tokens.sign(new ECDSASigner(key), JWSAlgorithm.ES256, key.getKeyID(), Tokens.claims(sub, null, b -> { }));
    }
}
