package dev.parley.protocol;

import java.nio.charset.StandardCharsets;

/**
 * One encoded server object, ready for any number of outboxes. Encoded once per broadcast;
 * {@code bytes} is its UTF-8 size, which is what the outbox bounds.
 */
public record Frame(String json, int bytes) {

    public static Frame of(String json) {
        return new Frame(json, utf8Length(json));
    }

    static int utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                // Rare for chat JSON; let the JDK count exactly rather than duplicate its rules here.
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }
}
