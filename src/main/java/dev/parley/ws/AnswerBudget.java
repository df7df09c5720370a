package dev.parley.ws;

import dev.parley.protocol.CloseReason;
import dev.parley.protocol.ErrorCode;

/**
 * How many error answers one client may provoke before it is cut off. Used by the connection's
 * reader thread only.
 *
 * <p>Two budgets, because two kinds of client hit them. Invalid input (bad JSON, unknown types,
 * bad fields) is a bug or an attack: a few per second are answered, a stream of them ends the
 * connection with 1008. {@code rate_limited} answers go to a person who sends too fast, e.g. a
 * page that pastes 300 lines or retries a failed batch: those are slowed, not cut, so they draw
 * on a separate, much larger budget that only a client flooding regardless of its answers exhausts.
 */
final class AnswerBudget {
    /** Invalid messages: a buggy client gets plenty of chances to read its errors. */
    static final int ERRORS_BURST = 50;
    static final double ERRORS_PER_SECOND = 5;
    /**
     * {@code rate_limited} answers: two full "retry all" rounds of a 300-message paste fit in the
     * burst; sustained, a client must keep below ~100 refused messages a second.
     */
    static final int FLOOD_BURST = 1000;
    static final double FLOOD_PER_SECOND = 100;

    private final TokenBucket errors;
    private final TokenBucket floods;

    AnswerBudget(long now) {
        this.errors = new TokenBucket(ERRORS_PER_SECOND, ERRORS_BURST, now);
        this.floods = new TokenBucket(FLOOD_PER_SECOND, FLOOD_BURST, now);
    }

    /**
     * Charges one answer with {@code code}; returns why to close when the client is over its budget,
     * else null. {@code unavailable} is free.
     */
    CloseReason charge(ErrorCode code, long now) {
        if (code == ErrorCode.UNAVAILABLE) {
            return null; // an outage of the broker is not the client's fault: it must be free to retry
        }
        if (code == ErrorCode.RATE_LIMITED) {
            return floods.tryTake(now) ? null : CloseReason.FLOOD;
        }
        return errors.tryTake(now) ? null : CloseReason.POLICY;
    }
}
