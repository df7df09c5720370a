package dev.parley.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

/** Tokens as an issuing application would make them, signed in the test with keys made in the test. */
final class Tokens {
    static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";
    static final String ISSUER = "https://login.test/";
    static final String AUDIENCE = "parley";

    private Tokens() {
    }

    /** Claims valid for an hour for {@code sub}, with {@code name}; {@code more} adjusts them. */
    static JWTClaimsSet claims(String sub, String name, Consumer<JWTClaimsSet.Builder> more) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .subject(sub).issuer(ISSUER).audience(AUDIENCE)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600)));
        if (name != null) {
            b.claim("name", name);
        }
        more.accept(b);
        return b.build();
    }

    static String hs256(JWTClaimsSet claims) {
        return hs256(claims, SECRET);
    }

    static String hs256(JWTClaimsSet claims, String secret) {
        try {
            return sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null, claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code "alg": "none"}: no signature at all. */
    static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    static Consumer<JWTClaimsSet.Builder> rooms(List<String> rooms) {
        return b -> b.claim("rooms", rooms);
    }
}
