package dev.parley.auth;

import java.time.Duration;
import java.util.Optional;

import dev.parley.config.AccessConfig;

/**
 * How this server learns who a client is ({@code parley.auth.mode}); shared by every connection,
 * each of which gets its own {@link ConnectionAuth}. Thread-safe: immutable after construction.
 */
public final class Authenticator {
    private final AccessConfig config;
    /** Null in mode none. */
    private final TokenVerifier verifier;

    private Authenticator(AccessConfig config, TokenVerifier verifier) {
        this.config = config;
        this.verifier = verifier;
    }

    public static Authenticator create(AccessConfig config) {
        return new Authenticator(config, config.jwt() ? TokenVerifier.create(config) : null);
    }

    /** The state of one new connection, opened at {@code now} (System.nanoTime()). */
    public ConnectionAuth open(long now) {
        return new ConnectionAuth(this, now);
    }

    /** {@code none} or {@code jwt}, as {@code hello} tells the client. */
    public String mode() {
        return config.jwt() ? "jwt" : "none";
    }

    /** Where the page fetches a token, as {@code hello} tells it; null when not configured. */
    public String tokenUrl() {
        return config.tokenUrl().orElse(null);
    }

    boolean required() {
        return verifier != null;
    }

    Optional<TokenVerifier> verifier() {
        return Optional.ofNullable(verifier);
    }

    Duration timeout() {
        return config.authTimeout();
    }

    Duration expiryNotice() {
        return config.expiryNotice();
    }

    Duration expiryGrace() {
        return config.expiryGrace();
    }
}
