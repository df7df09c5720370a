package dev.parley.ws;

import dev.parley.protocol.CloseReason;

/**
 * A client broke RFC 6455 (or the size limit): the connection is failed with {@link #reason()}'s
 * close code. Thrown often by hostile clients, so it carries no stack trace, and its text never
 * reaches the client or a log line above DEBUG.
 */
final class WsViolation extends RuntimeException {
    private final CloseReason reason;

    WsViolation(CloseReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    CloseReason reason() {
        return reason;
    }
}
