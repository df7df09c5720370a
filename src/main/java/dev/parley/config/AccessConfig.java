package dev.parley.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.helidon.config.Config;

/**
 * Who may reach what: the admin port, client authentication, the back-end API keys and the
 * per-node connection bound. Read once at start-up and validated as a whole, like
 * {@link ParleyConfig}; each key is documented once, in the README.
 */
public record AccessConfig(int adminPort,
                           String adminHost,
                           AuthMode authMode,
                           Duration authTimeout,
                           Optional<String> tokenUrl,
                           Duration expiryNotice,
                           Duration expiryGrace,
                           Optional<String> jwtSecret,
                           Optional<Path> jwtPublicKey,
                           Optional<String> jwksUrl,
                           Optional<String> jwtIssuer,
                           Optional<String> jwtAudience,
                           String nameClaim,
                           List<String> apiKeys,
                           double apiRatePerSecond,
                           int apiRateBurst,
                           int connectionsMax) {

    /** How clients prove who they are. */
    public enum AuthMode {
        /** Names are chosen freely by the client (local use, demos). */
        NONE,
        /** The first message carries a signed token; names come from it. */
        JWT
    }

    /** HS256 needs a 256-bit key (RFC 7518 §3.2); nimbus refuses shorter ones. */
    static final int SECRET_MIN_BYTES = 32;

    public AccessConfig {
        apiKeys = List.copyOf(apiKeys);
    }

    /** The defaults, as documented in the README. */
    public static AccessConfig defaults() {
        return from(Config.empty());
    }

    /** Reads {@code parley.admin.*}, {@code parley.auth.*}, {@code parley.api.*}, {@code parley.connections.max}. */
    public static AccessConfig from(Config root) {
        Config p = root.get("parley");
        Config auth = p.get("auth");
        Config jwt = auth.get("jwt");
        String mode = auth.get("mode").asString().orElse("none").trim().toUpperCase(Locale.ROOT);
        AuthMode authMode;
        try {
            authMode = AuthMode.valueOf(mode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid Parley configuration:\n  - parley.auth.mode must be none or jwt, is "
                                               + mode.toLowerCase(Locale.ROOT));
        }
        List<String> keys = new ArrayList<>(ParleyConfig.list(p.get("api.keys")));
        Optional<String> keysFile = text(p.get("api.keys-file"));
        keysFile.ifPresent(f -> keys.addAll(readKeys(Path.of(f))));
        return new AccessConfig(
                p.get("admin.port").asInt().orElse(9090),
                p.get("admin.host").asString().orElse("0.0.0.0"),
                authMode,
                auth.get("timeout").as(Duration.class).orElse(Duration.ofSeconds(10)),
                text(auth.get("token-url")),
                auth.get("expiry-notice").as(Duration.class).orElse(Duration.ofSeconds(60)),
                auth.get("expiry-grace").as(Duration.class).orElse(Duration.ofSeconds(30)),
                text(jwt.get("secret")),
                text(jwt.get("public-key")).map(Path::of),
                text(jwt.get("jwks-url")),
                text(jwt.get("issuer")),
                text(jwt.get("audience")),
                jwt.get("name-claim").asString().orElse("name"),
                keys,
                p.get("api.rate.per-second").asDouble().orElse(50.0),
                p.get("api.rate.burst").asInt().orElse(100),
                p.get("connections.max").asInt().orElse(20_000)).validated();
    }

    /** Returns this configuration, or throws naming every relation it breaks. */
    public AccessConfig validated() {
        List<String> e = new ArrayList<>();
        if (adminPort < 0 || adminPort > 65535) {
            e.add("parley.admin.port must be 0 (any free port) to 65535, is " + adminPort);
        }
        if (adminHost.isBlank()) {
            e.add("parley.admin.host must not be empty");
        }
        positive(e, "parley.auth.timeout", authTimeout);
        positive(e, "parley.auth.expiry-notice", expiryNotice);
        if (expiryGrace.isNegative()) {
            e.add("parley.auth.expiry-grace must not be negative, is " + expiryGrace);
        }
        if (authMode == AuthMode.JWT) {
            int sources = (jwtSecret.isPresent() ? 1 : 0) + (jwtPublicKey.isPresent() ? 1 : 0) + (jwksUrl.isPresent() ? 1 : 0);
            if (sources != 1) {
                e.add("parley.auth.mode=jwt needs exactly one of parley.auth.jwt.secret, parley.auth.jwt.public-key, "
                      + "parley.auth.jwt.jwks-url; " + sources + " are set");
            }
            jwtSecret.filter(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < SECRET_MIN_BYTES)
                    .ifPresent(s -> e.add("parley.auth.jwt.secret must be at least " + SECRET_MIN_BYTES + " bytes for HS256"));
            jwtPublicKey.filter(k -> !Files.isReadable(k))
                    .ifPresent(k -> e.add("parley.auth.jwt.public-key: cannot read " + k));
            jwksUrl.filter(u -> !u.startsWith("https://") && !u.startsWith("http://"))
                    .ifPresent(u -> e.add("parley.auth.jwt.jwks-url must be an http(s) URL, is " + u));
            if (nameClaim.isBlank()) {
                e.add("parley.auth.jwt.name-claim must not be empty");
            }
        }
        for (String k : apiKeys) {
            // A short key is guessable; a bearer token is a password.
            if (k.length() < 16) {
                e.add("parley.api.keys: every key must be at least 16 characters");
                break;
            }
        }
        if (apiRatePerSecond <= 0) {
            e.add("parley.api.rate.per-second must be positive, is " + apiRatePerSecond);
        }
        if (apiRateBurst < 1) {
            e.add("parley.api.rate.burst must be at least 1, is " + apiRateBurst);
        }
        if (connectionsMax < 0) {
            e.add("parley.connections.max must be 0 (no limit) or more, is " + connectionsMax);
        }
        if (!e.isEmpty()) {
            throw new IllegalArgumentException("Invalid Parley configuration:\n  - " + String.join("\n  - ", e));
        }
        return this;
    }

    /** True when the JWT mode is on: clients must send {@code auth} first. */
    public boolean jwt() {
        return authMode == AuthMode.JWT;
    }

    private static Optional<String> text(Config node) {
        return node.asString().asOptional().map(String::trim).filter(s -> !s.isEmpty());
    }

    /** A key file mounted from a Secret: one key per line; blank lines and {@code #} comments ignored. */
    private static List<String> readKeys(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid Parley configuration:\n  - parley.api.keys-file: cannot read "
                                               + file + " (" + e.getMessage() + ")");
        }
    }

    private static void positive(List<String> errors, String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            errors.add(key + " must be a positive duration (e.g. PT5S), is " + d);
        }
    }
}
