package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Completeness of a rooms run, member by member. */
class RoomDeliveriesTest {

    @Test
    void everyJoinedMemberOfEveryRoomCountsTheSenderIncluded() {
        // Two rooms of three: room 0 sent 4 in the window, room 1 sent 2; all got everything.
        RoomDeliveries d = RoomDeliveries.count(3, new long[] {4, 2},
                new boolean[] {true, true, true, true, true, true}, new long[] {4, 4, 4, 2, 2, 2});
        assertEquals(3 * 4 + 3 * 2, d.expected());
        assertEquals(18, d.received());
        assertEquals(0, d.missing());
        assertEquals(0, d.membersShort());
        assertEquals(0, d.roomsShort());
        assertEquals(100.0, d.deliveredPct());
    }

    @Test
    void aDuplicateAtOneMemberDoesNotHideALossAtAnother() {
        // Room 0: member 1 got a duplicate (5 of 4), member 2 missed one (3 of 4).
        RoomDeliveries d = RoomDeliveries.count(3, new long[] {4, 2},
                new boolean[] {true, true, true, true, true, true}, new long[] {4, 5, 3, 2, 2, 2});
        assertEquals(18, d.expected());
        assertEquals(18, d.received()); // the plain sum looks complete...
        assertEquals(1, d.missing()); // ...member by member it is not
        assertEquals(1, d.membersShort());
        assertEquals(1, d.roomsShort());
        assertEquals(100.0 * 17 / 18, d.deliveredPct(), 1e-9);
    }

    @Test
    void aMemberThatNeverJoinedIsNotExpectedAndARoomWithoutSenderExpectsNothing() {
        // Room 0: member 2 never joined. Room 1: its sender (member 0) never joined, so 0 sent.
        RoomDeliveries d = RoomDeliveries.count(3, new long[] {4, 0},
                new boolean[] {true, true, false, false, true, true}, new long[] {4, 0, 0, 0, 0, 0});
        assertEquals(2 * 4, d.expected());
        assertEquals(4, d.received());
        assertEquals(4, d.missing());
        assertEquals(1, d.membersShort());
        assertEquals(1, d.roomsShort());
        assertEquals(50.0, d.deliveredPct());
    }

    @Test
    void nothingExpectedIsZeroPercentNotADivisionByZero() {
        RoomDeliveries d = RoomDeliveries.count(2, new long[] {0}, new boolean[] {true, true}, new long[] {0, 0});
        assertEquals(0, d.expected());
        assertEquals(0.0, d.deliveredPct());
    }

    @Test
    void refusesCountsThatDoNotMatchTheRooms() {
        assertThrows(IllegalArgumentException.class, () -> RoomDeliveries.count(3, new long[] {1, 1},
                new boolean[] {true, true, true}, new long[] {1, 1, 1}));
    }
}
