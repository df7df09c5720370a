package dev.parley.hub;

import java.time.Duration;

/**
 * How a room tells its members who comes and goes ({@code parley.presence.*}): one event per
 * change up to {@code batchAbove} members, above it batches at an interval that grows with the
 * room; or, with {@code events} off, nothing (the count in {@code joined} and {@code members}
 * pages only).
 */
public record PresencePolicy(boolean events, int batchAbove) {
    /** One event per change, however big the room. */
    static final PresencePolicy EVERY_EVENT = new PresencePolicy(true, Integer.MAX_VALUE);

    /** One batch a second up to 1,000 members, then a millisecond more per member, at most 10 s. */
    Duration interval(int members) {
        return Duration.ofMillis(Math.clamp(members, 1_000, 10_000));
    }
}
