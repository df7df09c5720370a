package dev.parley.auth;

import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import dev.parley.config.AccessConfig;

/**
 * Checks a JWT and turns it into an {@link Identity}: the signature (HS256 with the shared
 * secret, RS256/ES256 with the configured public key or a key from the JWKS URL), then
 * {@code exp}, {@code nbf}, {@code iss} and {@code aud} with {@link #CLOCK_SKEW} of tolerance.
 * {@code sub} and {@code exp} are required: a chat connection lives for hours, so a token
 * that never expires would be an identity that can never be withdrawn.
 *
 * <p>Thread-safe: nimbus' processor is, and the JWKS source caches and refetches under its own locks.
 */
public final class TokenVerifier {
    private static final System.Logger LOG = System.getLogger(TokenVerifier.class.getName());
    /** Tolerated difference between the issuer's clock and ours. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);
    /** JWKS: keys are kept this long, then refetched (an unknown kid refetches at once) ... */
    static final Duration JWKS_TTL = Duration.ofMinutes(5);
    /** ... a fetch may take this long ... */
    static final Duration JWKS_FETCH_TIMEOUT = Duration.ofSeconds(5);
    /** ... and forced refetches (unknown kids) happen at most about this often, so bad tokens cannot hammer the issuer. */
    static final Duration JWKS_MIN_INTERVAL = Duration.ofSeconds(30);
    /** Claim listing the rooms (names or {@code *} patterns) the holder may join; absent = all. */
    public static final String ROOMS_CLAIM = "rooms";
    /** Claim listing rooms (names or patterns) where the holder may read but not send. */
    public static final String READ_ONLY_CLAIM = "read_only_rooms";

    private final ConfigurableJWTProcessor<SecurityContext> processor;
    private final String nameClaim;

    private TokenVerifier(JWKSource<SecurityContext> keys, Set<JWSAlgorithm> algorithms, AccessConfig config) {
        this.nameClaim = config.nameClaim();
        this.processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        JWTClaimsSet exact = config.jwtIssuer().map(i -> new JWTClaimsSet.Builder().issuer(i).build())
                .orElse(new JWTClaimsSet.Builder().build());
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                config.jwtAudience().map(Set::of).orElse(null), exact, Set.of("sub", "exp"), null);
        claims.setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** The verifier for {@code parley.auth.jwt.*}; the configuration has exactly one key source (validated). */
    public static TokenVerifier create(AccessConfig config) {
        if (config.jwtSecret().isPresent()) {
            byte[] secret = config.jwtSecret().get().getBytes(StandardCharsets.UTF_8);
            return new TokenVerifier(new ImmutableSecret<>(secret), Set.of(JWSAlgorithm.HS256), config);
        }
        if (config.jwtPublicKey().isPresent()) {
            JWK key = PublicKeys.read(config.jwtPublicKey().get());
            JWSAlgorithm alg = key.getKeyType() == KeyType.RSA ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
            return new TokenVerifier(new ImmutableJWKSet<>(new JWKSet(key)), Set.of(alg), config);
        }
        String url = config.jwksUrl().orElseThrow(() -> new IllegalStateException("no key source configured"));
        JWKSource<SecurityContext> jwks;
        try {
            jwks = JWKSourceBuilder.<SecurityContext>create(URI.create(url).toURL())
                    .cache(JWKS_TTL.toMillis(), JWKS_FETCH_TIMEOUT.toMillis())
                    .rateLimited(JWKS_MIN_INTERVAL.toMillis())
                    .retrying(false)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid Parley configuration:\n  - parley.auth.jwt.jwks-url: " + e.getMessage());
        }
        return new TokenVerifier(jwks, Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), config);
    }

    /** The identity the token proves, or why it proves none. */
    public Identity verify(String token) throws TokenRefused {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new TokenRefused("malformed token");
        } catch (BadJWTException e) {
            throw new TokenRefused(claimProblem(e.getMessage()));
        } catch (BadJWSException e) {
            throw new TokenRefused("invalid signature or unknown key");
        } catch (BadJOSEException e) {
            // The unsigned ("alg": "none") and encrypted forms end here.
            throw new TokenRefused("token not accepted: only signed tokens (HS256, RS256, ES256) are");
        } catch (JOSEException e) {
            LOG.log(System.Logger.Level.WARNING, "token keys unavailable: " + e.getMessage());
            throw new TokenRefused("keys unavailable; try again shortly");
        }
        return identity(claims);
    }

    private Identity identity(JWTClaimsSet claims) throws TokenRefused {
        String user = claims.getSubject();
        if (user == null || user.isBlank()) {
            throw new TokenRefused("token has no sub");
        }
        String name = user;
        Object claimed = claims.getClaim(nameClaim);
        if (claimed instanceof String s && !s.isBlank()) {
            name = s.strip();
        }
        List<String> rooms;
        List<String> readOnly;
        try {
            rooms = claims.getStringListClaim(ROOMS_CLAIM);
            readOnly = claims.getStringListClaim(READ_ONLY_CLAIM);
        } catch (ParseException e) {
            throw new TokenRefused("claims " + ROOMS_CLAIM + " and " + READ_ONLY_CLAIM + " must be lists of strings");
        }
        if (rooms != null && new HashSet<>(rooms).contains(null)) {
            throw new TokenRefused("claim " + ROOMS_CLAIM + " must be a list of strings");
        }
        return new Identity(user, name, RoomAccess.of(rooms, readOnly), claims.getExpirationTime().toInstant());
    }

    /** nimbus' claim messages, in the words docs/protocol.md lists. */
    private static String claimProblem(String nimbus) {
        String m = nimbus == null ? "" : nimbus;
        if (m.startsWith("Expired")) {
            return "token expired";
        }
        if (m.contains("before use time")) {
            return "token not yet valid";
        }
        if (m.contains("missing required claims")) { // before the others: "missing" contains "iss"
            return "token lacks a required claim (sub, exp)";
        }
        if (m.contains("aud")) {
            return "wrong audience";
        }
        if (m.contains("iss")) {
            return "wrong issuer";
        }
        return "token claims rejected";
    }
}
