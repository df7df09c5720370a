package dev.parley.auth;

import java.util.function.Consumer;

import dev.parley.protocol.CloseReason;
import dev.parley.protocol.Encoder;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Frame;
import dev.parley.protocol.ProtocolError;

/**
 * One connection's identity. With JWT on, nothing but {@code auth} is accepted until a token has
 * been verified; the identity then names the client in every room, and bounds where it may join
 * and send. Before the token expires the client is told ({@code auth_expiring}) and may send a
 * fresh one for the same user on the same connection; past expiry plus the grace it is closed.
 *
 * <p>Threads: {@link #authenticate} and the checks run on the connection's reader thread; {@link #tick}
 * on the watchdog's.
 */
public final class ConnectionAuth {
    private final Authenticator authenticator;
    /** System.nanoTime() by which a first token must have arrived. */
    private final long deadline;
    /** The verified identity; null until then (always null in mode none). Written by the reader, read by the watchdog. */
    private volatile Identity identity;
    /** True once auth_expiring went out for the current identity. Watchdog only, reset by the reader on refresh. */
    private volatile boolean noticeSent;

    ConnectionAuth(Authenticator authenticator, long now) {
        this.authenticator = authenticator;
        this.deadline = now + authenticator.timeout().toNanos();
    }

    /** Verifies an {@code auth} message and answers it with {@code authenticated}; a refresh must be for the same user. */
    public Frame authenticate(String token) throws ProtocolError {
        TokenVerifier verifier = authenticator.verifier().orElseThrow(() ->
                new ProtocolError(ErrorCode.AUTH_FAILED, "This server does not use tokens.", null, null));
        Identity verified;
        try {
            verified = verifier.verify(token);
        } catch (TokenRefused e) {
            throw new ProtocolError(ErrorCode.AUTH_FAILED, "Token refused: " + e.getMessage() + ".", null, null);
        }
        Identity current = identity;
        if (current != null && !current.user().equals(verified.user())) {
            throw new ProtocolError(ErrorCode.AUTH_FAILED, "A fresh token must be for the same user.", null, null);
        }
        noticeSent = false;
        identity = verified;
        return Encoder.authenticated(verified.user(), verified.name(), verified.expires().getEpochSecond());
    }

    /** Throws {@code auth_required} while a token is needed and none was verified yet. */
    public void requireIdentity(String ref, String room) throws ProtocolError {
        if (authenticator.required() && identity == null) {
            throw new ProtocolError(ErrorCode.AUTH_REQUIRED, ref, room);
        }
    }

    /** The name to join under: the verified one with JWT on (the requested one is ignored), else the requested one. */
    public String nameFor(String requested, String room) throws ProtocolError {
        Identity id = identity;
        if (id != null) {
            return id.name();
        }
        if (requested == null) {
            throw new ProtocolError(ErrorCode.BAD_REQUEST, "Field \"name\" is required.", null, room);
        }
        return requested;
    }

    /** The verified user id (the token's sub), or null without one. */
    public String user() {
        Identity id = identity;
        return id == null ? null : id.user();
    }

    public void checkJoin(String room) throws ProtocolError {
        Identity id = identity;
        if (id != null && !id.rooms().mayJoin(room)) {
            throw new ProtocolError(ErrorCode.FORBIDDEN, "Your token does not allow this room.", null, room);
        }
    }

    /** False where the token makes the room read-only (typing notices are dropped there). */
    public boolean maySend(String room) {
        Identity id = identity;
        return id == null || id.rooms().maySend(room);
    }

    public void checkSend(String room, String ref) throws ProtocolError {
        Identity id = identity;
        if (id != null && !id.rooms().maySend(room)) {
            throw new ProtocolError(ErrorCode.FORBIDDEN, "This room is read-only for you.", ref, room);
        }
    }

    /**
     * Watchdog tick: the reason to close now (no token in time, or the token expired past the
     * grace), else null; sends {@code auth_expiring} through {@code notify} once per token.
     */
    public CloseReason tick(long now, long wallMillis, Consumer<Frame> notify) {
        if (!authenticator.required()) {
            return null;
        }
        Identity id = identity;
        if (id == null) {
            return now - deadline > 0 ? CloseReason.AUTH_TIMEOUT : null;
        }
        long exp = id.expires().toEpochMilli();
        if (wallMillis > exp + authenticator.expiryGrace().toMillis()) {
            return CloseReason.AUTH_EXPIRED;
        }
        if (!noticeSent && wallMillis >= exp - authenticator.expiryNotice().toMillis()) {
            noticeSent = true;
            notify.accept(Encoder.authExpiring(Math.max(0, (exp - wallMillis) / 1000)));
        }
        return null;
    }

    /**
     * When {@link #tick} next has something to do, in System.nanoTime() terms ({@code now} is
     * that clock, {@code wallMillis} the wall clock tokens expire by); 0 for never.
     */
    public long nextDue(long now, long wallMillis) {
        if (!authenticator.required()) {
            return 0;
        }
        Identity id = identity;
        if (id == null) {
            return deadline + 1;
        }
        long exp = id.expires().toEpochMilli();
        long target = noticeSent ? exp + authenticator.expiryGrace().toMillis() + 1 : exp - authenticator.expiryNotice().toMillis();
        return now + Math.max(0, target - wallMillis) * 1_000_000L;
    }

    /** {@code none} or {@code jwt}, for {@code hello}. */
    public String mode() {
        return authenticator.mode();
    }

    /** The page's token URL for {@code hello}, or null. */
    public String tokenUrl() {
        return authenticator.tokenUrl();
    }
}
