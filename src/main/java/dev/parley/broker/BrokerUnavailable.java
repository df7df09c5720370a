package dev.parley.broker;

/** The broker's store cannot be reached; the operation did nothing and may be retried. */
public final class BrokerUnavailable extends Exception {
    public BrokerUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
