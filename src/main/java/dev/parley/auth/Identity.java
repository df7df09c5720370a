package dev.parley.auth;

import java.time.Instant;

/**
 * Who a client is, as a verified token says: {@code user} is the token's {@code sub}, {@code name}
 * the display name (from the configured claim, else {@code sub}), {@code rooms} what it may do
 * where, {@code expires} the token's {@code exp}.
 */
public record Identity(String user, String name, RoomAccess rooms, Instant expires) {
}
