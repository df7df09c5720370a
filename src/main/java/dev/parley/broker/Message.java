package dev.parley.broker;

import dev.parley.protocol.Frame;

/**
 * A published chat message as a room's log holds it: its place ({@code epoch}, {@code seq}), the
 * (from, id) pair that makes a retried send idempotent, and its wire form, encoded once.
 */
public record Message(String room, String epoch, long seq, String from, String id, Frame frame) {
}
