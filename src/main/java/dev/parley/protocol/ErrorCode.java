package dev.parley.protocol;

import java.util.Locale;

/** The {@code code} of an {@code error} object; the connection stays open after each. */
public enum ErrorCode {
    BAD_JSON("The frame is not a JSON object."),
    UNKNOWN_TYPE("Unknown or missing \"type\"."),
    BAD_REQUEST("A field is missing or has the wrong type."),
    INVALID_ROOM("Room names are 1-64 characters of A-Z, a-z, 0-9, '_', '.', '-'."),
    INVALID_NAME("Names are 1-32 visible characters: letters, marks, numbers, punctuation, symbols, inner spaces."),
    INVALID_ID("Message ids are 1-64 characters."),
    INVALID_TEXT("A message cannot be empty."),
    TEXT_TOO_LONG("The message is too long."),
    NOT_JOINED("Join the room first."),
    ALREADY_JOINED("You are already in this room."),
    TOO_MANY_ROOMS("This connection is in too many rooms."),
    ROOM_LIMIT("The server has too many rooms right now; try again later."),
    RATE_LIMITED("Too many messages; slow down."),
    UNAVAILABLE("The chat service is briefly unavailable; retry in a moment."),
    AUTH_REQUIRED("Send auth with a token first."),
    AUTH_FAILED("The token was refused."),
    FORBIDDEN("You may not do that in this room.");

    private final String message;

    ErrorCode(String message) {
        this.message = message;
    }

    /** The wire form, e.g. {@code rate_limited}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A plain-words default message, fit to show to a person. */
    public String message() {
        return message;
    }
}
