package dev.parley.protocol;

/**
 * Bad input from a client: answered with an {@code error} object, the connection stays open.
 * Carries what the client needs to match it to its request.
 */
public final class ProtocolError extends Exception {
    private final ErrorCode code;
    private final String ref;
    private final String room;

    public ProtocolError(ErrorCode code, String message, String ref, String room) {
        super(message, null, false, false); // control flow for bad input: no stack trace needed
        this.code = code;
        this.ref = ref;
        this.room = room;
    }

    public ProtocolError(ErrorCode code, String ref, String room) {
        this(code, code.message(), ref, room);
    }

    public ErrorCode code() {
        return code;
    }

    public String ref() {
        return ref;
    }

    public String room() {
        return room;
    }

    /** The error object to send back. */
    public Frame toFrame() {
        return Encoder.error(code, getMessage(), ref, room);
    }
}
