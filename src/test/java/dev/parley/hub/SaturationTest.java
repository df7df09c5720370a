package dev.parley.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.broker.Broker;
import dev.parley.broker.Message;
import dev.parley.protocol.Encoder;
import dev.parley.protocol.Frame;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Degrade before cutting: when a crowd of a room's members cannot take more, the room batches
 * more (its delay rises) and queues past the bound instead of cutting them; one slow member among
 * many keeping up is cut, as before.
 */
class SaturationTest {
    private static final String EPOCH = "e1";

    /** A member whose outbox is full (offer refuses) or not, and whose hard limit is reached or not. */
    static class Member implements Subscriber {
        final boolean full;
        final boolean pastHardLimit;
        int got;
        int pastBound;
        boolean evicted;

        Member(boolean full, boolean pastHardLimit) {
            this.full = full;
            this.pastHardLimit = pastHardLimit;
        }

        @Override
        public synchronized boolean offer(Frame frame) {
            if (full) {
                return false;
            }
            got++;
            return true;
        }

        @Override
        public synchronized boolean offerPastBound(Frame frame) {
            if (pastHardLimit) {
                return false;
            }
            pastBound++;
            return true;
        }

        @Override
        public synchronized void offerAlways(Frame frame) {
            // joined and backlog
        }

        @Override
        public synchronized void evictSlow() {
            evicted = true;
        }
    }

    private static Room roomOf(List<Member> members, long delayNanos) {
        Room room = new Room("r", delayNanos, System.nanoTime() - Duration.ofSeconds(1).toNanos());
        for (Member m : members) {
            room.reserve("m" + System.identityHashCode(m));
            room.admit(m, "m" + System.identityHashCode(m), 0, new Broker.Backlog(EPOCH, 0, false, List.of(), List.of()));
        }
        return room;
    }

    private static Message message(long seq) {
        return new Message("r", EPOCH, seq, "a", null, Encoder.message("r", seq, "a", "m" + seq, 0, null));
    }

    private static List<Member> members(int keepingUp, int full, boolean pastHardLimit) {
        List<Member> all = new ArrayList<>();
        for (int i = 0; i < keepingUp; i++) {
            all.add(new Member(false, false));
        }
        for (int i = 0; i < full; i++) {
            all.add(new Member(true, pastHardLimit));
        }
        return all;
    }

    @Test
    void aCrowdFallingBehindGetsBiggerBatchesNotACut() {
        List<Member> all = members(15, 5, false);
        long base = Duration.ofMillis(25).toNanos();
        Room room = roomOf(all, base);
        room.deliver(message(1)).evictions().run(); // a quiet room: at once, to everyone; cuts run outside the lock
        assertThat(all).noneMatch(m -> m.evicted);
        assertThat(all.subList(15, 20)).allMatch(m -> m.pastBound == 1);
        assertThat(room.delayNanos()).isGreaterThan(base).isLessThanOrEqualTo(Room.MAX_DELAY_NANOS);
    }

    @Test
    void oneSlowMemberAmongManyKeepingUpIsCut() {
        List<Member> all = members(19, 1, false);
        long base = Duration.ofMillis(25).toNanos();
        Room room = roomOf(all, base);
        room.deliver(message(1)).evictions().run();
        assertThat(all.getLast().evicted).isTrue();
        assertThat(all.getLast().pastBound).isZero();
        assertThat(all.subList(0, 19)).noneMatch(m -> m.evicted).allMatch(m -> m.got == 1);
        assertThat(room.delayNanos()).isEqualTo(base);
    }

    @Test
    void aCrowdMemberPastTheHardLimitIsCutAnyway() {
        List<Member> all = members(15, 5, true);
        Room room = roomOf(all, Duration.ofMillis(25).toNanos());
        room.deliver(message(1)).evictions().run();
        assertThat(all.subList(15, 20)).allMatch(m -> m.evicted);
        assertThat(all.subList(0, 15)).noneMatch(m -> m.evicted);
    }

    @Test
    void aDrainingRoomNeverWaits() {
        List<Member> all = members(15, 5, false);
        Room room = roomOf(all, Duration.ofMillis(25).toNanos());
        room.flushNow();
        room.deliver(message(1)).evictions().run();
        assertThat(room.delayNanos()).isZero();
        assertThat(all.subList(15, 20)).allMatch(m -> m.evicted);
    }

    /**
     * A member that keeps up, with a couple of replies always on their way out, in a room whose
     * delay has risen: the room's batch would outgrow its outbox (16 messages here) and cut it,
     * were batches not sent at half an outbox. 19 messages in one delay arrive in batches of 8.
     */
    @Test
    void aBatchNeverOutgrowsHalfAnOutboxSoAMemberKeepingUpIsNotCut() {
        final class KeepingUp extends Member {
            static final int BOUND = 16;
            static final int IN_FLIGHT = 2; // acks queued while the room's batch arrives
            final List<Integer> batches = new ArrayList<>();

            KeepingUp() {
                super(false, false);
            }

            @Override
            public synchronized boolean offer(Frame frame) {
                if (IN_FLIGHT + frame.count() > BOUND) {
                    return false; // Outbox's rule for a non-empty outbox
                }
                batches.add(frame.count()); // taken, and written at once
                return true;
            }
        }
        KeepingUp member = new KeepingUp();
        Room room = new Room("r", Duration.ofHours(1).toNanos(), System.nanoTime() - Duration.ofHours(2).toNanos(),
                             PresencePolicy.EVERY_EVENT, BatchLimit.halfOf(KeepingUp.BOUND, 1 << 20));
        room.reserve("m");
        room.admit(member, "m", 0, new Broker.Backlog(EPOCH, 0, false, List.of(), List.of()));
        for (long seq = 1; seq <= 20; seq++) {
            room.deliver(message(seq)).evictions().run();
        }
        room.flushNow();
        assertThat(member.evicted).isFalse();
        // The first went at once (a quiet room), the next 16 in two batches of 8, the last 3 at the flush.
        assertThat(member.batches).containsExactly(1, 8, 8, 3);
    }
}
