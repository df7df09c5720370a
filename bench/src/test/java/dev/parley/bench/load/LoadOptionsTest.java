package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Options of the rooms, join-storm and idle scenarios: each mode's defaults, and what is refused. */
class LoadOptionsTest {

    private static LoadOptions parse(String... args) {
        return LoadOptions.parse(args);
    }

    @Test
    void roomsModeDefaultsToTwoThousandRoomsOfFive() {
        LoadOptions o = parse("--mode", "rooms");
        assertEquals(LoadOptions.Mode.ROOMS, o.mode);
        assertEquals(2000, o.rooms);
        assertEquals(5, o.members);
        assertEquals(1.0, o.roomRate);
        assertEquals(10_000, o.roomConnections());
    }

    @Test
    void givenOptionsWinOverTheModesDefaultsWhateverTheirOrder() {
        LoadOptions o = parse("--rooms", "50", "--mode", "rooms", "--members", "3", "--room-rate=2.5");
        assertEquals(50, o.rooms);
        assertEquals(3, o.members);
        assertEquals(2.5, o.roomRate);
        assertEquals(150, o.roomConnections());
        // Publish keeps its own default of one room.
        assertEquals(1, parse("--mode", "publish").rooms);
    }

    @Test
    void roomsAreNamedPerRoomUnderTheRunsPrefix() {
        LoadOptions o = parse("--mode", "rooms", "--rooms", "3", "--room", "chat");
        assertEquals("chat-0", o.room(0));
        assertEquals("chat-2", o.room(2));
    }

    @Test
    void joinStormDefaultsToTenThousandClientsWithAHundredInFlight() {
        LoadOptions o = parse("--mode", "joinstorm");
        assertEquals(10_000, o.connections);
        assertEquals(100, o.connectConcurrency);
        LoadOptions given = parse("--mode", "joinstorm", "--connections", "500", "--connect-concurrency", "20");
        assertEquals(500, given.connections);
        assertEquals(20, given.connectConcurrency);
        // Idle keeps its own: 15,000 connections, 200 in flight.
        LoadOptions idle = parse("--mode", "idle");
        assertEquals(15_000, idle.connections);
        assertEquals(200, idle.connectConcurrency);
    }

    @Test
    void idleWindowFollowsASettleAndCanBeSetOrTurnedOff() {
        LoadOptions o = parse("--mode", "idle");
        assertEquals(10.0, o.settleSeconds);
        assertEquals(15.0, o.idleWindowSeconds);
        LoadOptions off = parse("--mode", "idle", "--settle", "0", "--idle-window", "0");
        assertEquals(0.0, off.settleSeconds);
        assertEquals(0.0, off.idleWindowSeconds);
    }

    @Test
    void refusesRoomsThatCannotBeBuilt() {
        assertRefused("members >= 1", "--mode", "rooms", "--members", "0");
        assertRefused("room-rate > 0", "--mode", "rooms", "--room-rate", "0");
        assertRefused("room-rate > 0", "--mode", "rooms", "--room-rate", "NaN");
        assertRefused("rooms × members <= 1000000", "--mode", "rooms", "--rooms", "100000", "--members", "11");
        assertRefused("must be >= 0", "--mode", "idle", "--settle", "-1");
        assertRefused("must be >= 0", "--mode", "idle", "--idle-window", "-0.5");
        assertRefused("unknown option --member", "--mode", "rooms", "--member", "5");
        assertThrows(IllegalArgumentException.class, () -> parse("--mode", "storm"));
    }

    private static void assertRefused(String why, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(args));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
