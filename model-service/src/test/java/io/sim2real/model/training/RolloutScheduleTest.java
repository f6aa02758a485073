package io.sim2real.model.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RolloutScheduleTest {

    @Test
    void shouldGrowLinearlyBetweenTheEpochs() {
        RolloutSchedule s = RolloutSchedule.parse("20, 100, 1, 15");
        assertEquals(1, s.length(0));
        assertEquals(1, s.length(20_000));
        assertEquals(8, s.length(60_000));
        assertEquals(15, s.length(100_000));
        assertEquals(15, s.length(1_000_000));
        assertEquals(1, RolloutSchedule.parse("20,150,1,1").length(90_000));
    }

    @Test
    void shouldRejectANonsenseSchedule() {
        assertThrows(IllegalArgumentException.class, () -> RolloutSchedule.parse("1,2,3"));
        assertThrows(IllegalArgumentException.class, () -> RolloutSchedule.parse("10,5,1,1"));
    }
}
