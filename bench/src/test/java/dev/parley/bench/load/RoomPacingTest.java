package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The rooms' send schedule: spread by phase, in due order, each room once a period. */
class RoomPacingTest {

    @Test
    void sendsComeOutInDueOrderEachRoomOncePerPeriod() {
        // Period 1,000 ns; room 0 at phase 700, room 1 at 100, room 2 at 400.
        RoomPacing p = new RoomPacing(10_000, 1_000, new long[] {700, 100, 400});
        List<RoomPacing.Send> sends = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sends.add(p.next());
        }
        assertEquals(List.of(
                new RoomPacing.Send(1, 0, 10_100), new RoomPacing.Send(2, 0, 10_400), new RoomPacing.Send(0, 0, 10_700),
                new RoomPacing.Send(1, 1, 11_100), new RoomPacing.Send(2, 1, 11_400), new RoomPacing.Send(0, 1, 11_700)),
                sends);
    }

    @Test
    void randomPhasesFallWithinThePeriodAndSpreadOverIt() {
        long period = 1_000_000_000L;
        long[] phases = RoomPacing.randomPhases(2000, period, new Random(42));
        int[] tenths = new int[10];
        for (long ph : phases) {
            assertTrue(ph >= 0 && ph < period, "phase " + ph);
            tenths[(int) (ph * 10 / period)]++;
        }
        // 2,000 uniform draws: each tenth of the period holds about 200 (far from all in one instant).
        for (int count : tenths) {
            assertTrue(count > 120 && count < 280, "per tenth of the period: " + java.util.Arrays.toString(tenths));
        }
        long[] dues = new long[4000];
        RoomPacing p = new RoomPacing(0, period, phases);
        for (int i = 0; i < dues.length; i++) {
            dues[i] = p.next().dueNanos();
            assertTrue(i == 0 || dues[i] >= dues[i - 1], "due times never go back");
        }
    }

    @Test
    void noRoomsNoSendsAndPhasesOutsideThePeriodAreRefused() {
        assertNull(new RoomPacing(0, 1_000, new long[0]).next());
        assertThrows(IllegalArgumentException.class, () -> new RoomPacing(0, 1_000, new long[] {1_000}));
        assertThrows(IllegalArgumentException.class, () -> new RoomPacing(0, 0, new long[] {0}));
    }
}
