package dev.parley.hub;

import dev.parley.protocol.Frame;

/** A published chat message with its seq, and its wire form encoded once. */
public record Message(String room, long seq, String from, String text, long ts, String id, Frame frame) {
}
