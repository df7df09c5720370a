package dev.parley.protocol;

/** A decoded, validated client object. Fields are already checked against the protocol rules. */
public sealed interface Inbound {

    /** {@code since} is null when the client does not resume; {@code epoch} may be null. */
    record Join(String room, String name, String epoch, Long since) implements Inbound {
    }

    record Leave(String room) implements Inbound {
    }

    /** {@code id} and {@code traceparent} are optional (null). */
    record Send(String room, String text, String id, String traceparent) implements Inbound {
    }

    /** {@code before} is null for the newest page. */
    record History(String room, Long before, int limit) implements Inbound {
    }

    /** A signed token proving who the client is (first message with auth on, and each refresh). */
    record Auth(String token) implements Inbound {
    }

    /** A page of the room's names; {@code cursor} null for the first, else the last page's {@code next}. */
    record Members(String room, String cursor) implements Inbound {
    }

    /** The client's person is typing in {@code room}: ephemeral, never stored or acked. */
    record Typing(String room) implements Inbound {
    }

    record Ping() implements Inbound {
        static final Ping INSTANCE = new Ping();
    }
}
