package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The figures the join storm and the idle window derive from their counts. */
class ScenarioFiguresTest {

    @Test
    void eachJoinerHearsEveryLaterJoiner() {
        assertEquals(0, JoinStormScenario.presenceExpected(0));
        assertEquals(0, JoinStormScenario.presenceExpected(1));
        assertEquals(3, JoinStormScenario.presenceExpected(3)); // the first hears 2, the second 1
        assertEquals(49_995_000L, JoinStormScenario.presenceExpected(10_000));
    }

    @Test
    void idleCoresAreCpuSecondsOverWallSeconds() {
        // 1.5 s of CPU over 15 s of wall time: a tenth of a core.
        assertEquals(0.1, IdleScenario.idleCores(2_000_000_000L, 3_500_000_000L, 15_000_000_000L));
        assertEquals(0.0, IdleScenario.idleCores(7, 7, 1_000_000_000L));
        assertEquals(-1.0, IdleScenario.idleCores(-1, 5, 1_000_000_000L), "a process that could not be read");
        assertEquals(-1.0, IdleScenario.idleCores(0, 5, 0));
    }
}
