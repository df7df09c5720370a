package dev.parley.auth;

/** A token that does not prove an identity; the message says why in words fit for the client. */
public final class TokenRefused extends Exception {
    public TokenRefused(String message) {
        super(message, null, false, false); // an answer to bad input: no stack trace needed
    }
}
