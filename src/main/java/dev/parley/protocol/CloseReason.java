package dev.parley.protocol;

/**
 * Why a connection ended: the close code and reason sent in the close frame (when one is sent),
 * and the tag under which metrics count it. Reasons are values, not strings scattered in code.
 */
public enum CloseReason {
    /** The client sent a close frame. */
    CLIENT(1000, "normal", Side.CLIENT),
    /** The server is shutting down; come back with resume. */
    SHUTDOWN(1001, "server shutdown", Side.SERVER),
    /** Nothing arrived from the client for {@code parley.idle-timeout}. */
    IDLE(1001, "idle timeout", Side.SERVER),
    /** A frame broke RFC 6455 (§5: opcode, masking, RSV, control frame, continuation, close payload). */
    PROTOCOL_ERROR(1002, "protocol error", Side.SERVER),
    /** A text message or close reason that is not valid UTF-8 (RFC 6455 §8.1). */
    INVALID_UTF8(1007, "invalid utf-8", Side.SERVER),
    /** Binary frames are not part of the protocol. */
    BINARY(1003, "binary frames are not accepted", Side.SERVER),
    /** Rejected frames faster than any well-behaved client sends them. */
    POLICY(1008, "too many invalid messages", Side.SERVER),
    /** Kept sending far beyond the rate limit, ignoring its {@code rate_limited} answers. */
    FLOOD(1008, "rate limit ignored", Side.SERVER),
    /** The client's address holds {@code parley.connections.per-address} connections already. */
    TOO_MANY_CONNECTIONS(1008, "too many connections from this address", Side.SERVER),
    /** With {@code parley.auth.mode=jwt}: no valid token within {@code parley.auth.timeout}. */
    AUTH_TIMEOUT(4001, "authentication timeout", Side.SERVER),
    /** The token expired and no fresh one arrived within {@code parley.auth.expiry-grace}. */
    AUTH_EXPIRED(4002, "token expired", Side.SERVER),
    /** A message larger than {@code parley.max-frame-bytes}. */
    TOO_BIG(1009, "message too big", Side.SERVER),
    /** A bug on our side; the client may reconnect and resume. */
    INTERNAL(1011, "internal error", Side.SERVER),
    /** The client's outbox overflowed: it does not read fast enough. */
    SLOW_CONSUMER(1013, "slow consumer", Side.SERVER),
    /** A single write did not finish within {@code parley.write-deadline}: the socket was aborted. */
    WRITE_DEADLINE(1006, "write deadline exceeded", Side.SERVER),
    /** The peer vanished without a close frame (reset, FIN, Helidon's own idle or frame-size close). */
    NETWORK(1006, "connection lost", Side.NETWORK);

    /** Who ended the connection, as reported in traces. */
    public enum Side { CLIENT, SERVER, NETWORK }

    private final int code;
    private final String reason;
    private final Side side;

    CloseReason(int code, String reason, Side side) {
        this.code = code;
        this.reason = reason;
        this.side = side;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public Side side() {
        return side;
    }

    /** Metric tag value, e.g. {@code slow_consumer}. */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * True when the peer broke the protocol: after the close frame the server closes the TCP
     * connection at once (RFC 6455 §7.1.7) rather than wait for an answer it cannot trust.
     */
    public boolean failsConnection() {
        return this == PROTOCOL_ERROR || this == INVALID_UTF8;
    }

    /**
     * True when what is already queued to the client goes out before the close frame: a drain,
     * and the two policy closes, whose queued error answers say why the client is being closed.
     * Otherwise the close replaces the queue (a slow consumer's is full; after a protocol
     * violation or an internal error nothing queued matters).
     */
    public boolean sendsQueuedFirst() {
        return this == SHUTDOWN || this == POLICY || this == FLOOD;
    }

    /** True for ends that an operator should look at (traces mark them as errors). */
    public boolean abnormal() {
        return this == INTERNAL || this == WRITE_DEADLINE || this == NETWORK || this == SLOW_CONSUMER;
    }
}
