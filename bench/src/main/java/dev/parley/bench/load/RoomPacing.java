package dev.parley.bench.load;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

/**
 * When each room's sender sends: message k of room r is due at {@code t0 + phase[r] + k·period},
 * with every phase drawn at random in {@code [0, period)}, so the rooms' sends are spread over
 * the period as people's would be, rather than all rooms sending in the same millisecond.
 *
 * <p>The sends come out in due order: the rooms sorted by phase, period after period. All due
 * times are absolute, so a late send does not delay the next ones (as in {@link Sender}).
 * One thread owns an instance.
 */
final class RoomPacing {

    /** One send: message {@code counter} of room {@code room}, due at {@code dueNanos}. */
    record Send(int room, long counter, long dueNanos) {
    }

    private final long t0;
    private final long periodNanos;
    private final long[] phases;
    /** Rooms in the order their sends fall within each period. */
    private final Integer[] order;
    private long period;
    private int next;

    RoomPacing(long t0, long periodNanos, long[] phases) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("period must be > 0");
        }
        this.t0 = t0;
        this.periodNanos = periodNanos;
        this.phases = phases.clone();
        this.order = new Integer[phases.length];
        for (int r = 0; r < phases.length; r++) {
            if (phases[r] < 0 || phases[r] >= periodNanos) {
                throw new IllegalArgumentException("phase of room " + r + " outside [0, period)");
            }
            order[r] = r;
        }
        Arrays.sort(order, Comparator.comparingLong(r -> this.phases[r]));
    }

    /** A random phase in {@code [0, period)} for each of {@code rooms}. */
    static long[] randomPhases(int rooms, long periodNanos, Random random) {
        long[] phases = new long[rooms];
        for (int r = 0; r < rooms; r++) {
            phases[r] = (long) (random.nextDouble() * periodNanos);
        }
        return phases;
    }

    /** The next send in due order; null if there are no rooms. */
    Send next() {
        if (order.length == 0) {
            return null;
        }
        int room = order[next];
        Send s = new Send(room, period, t0 + phases[room] + period * periodNanos);
        if (++next == order.length) {
            next = 0;
            period++;
        }
        return s;
    }
}
