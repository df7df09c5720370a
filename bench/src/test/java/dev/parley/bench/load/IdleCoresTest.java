package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What the idle window derives from its readings. */
class IdleCoresTest {

    @Test
    void idleCoresAreCpuSecondsOverWallSeconds() {
        // 1.5 s of CPU over 15 s of wall time: a tenth of a core.
        assertEquals(0.1, IdleScenario.idleCores(2_000_000_000L, 3_500_000_000L, 15_000_000_000L));
        assertEquals(0.0, IdleScenario.idleCores(7, 7, 1_000_000_000L));
        assertEquals(-1.0, IdleScenario.idleCores(-1, 5, 1_000_000_000L), "a process that could not be read");
        assertEquals(-1.0, IdleScenario.idleCores(0, 5, 0));
    }
}
