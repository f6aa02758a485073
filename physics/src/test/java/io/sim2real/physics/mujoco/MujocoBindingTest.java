package io.sim2real.physics.mujoco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MujocoBindingTest {

    private static final String BALL = """
            <mujoco><option timestep="0.01" gravity="0 0 -9.81"/>
              <worldbody><body name="ball" pos="0 0 10"><joint name="z" type="slide" axis="0 0 1"/>
              <geom name="ball" type="sphere" size="0.1" mass="1"/></body></worldbody>
              <actuator><motor joint="z" gear="1"/></actuator></mujoco>
            """;

    @Test
    void shouldLoadDebiansMujoco22() {
        assertEquals(222, Mujoco.version());
    }

    @Test
    void shouldTurnAModelErrorIntoAnExceptionAndKeepWorking() {
        MujocoException e = assertThrows(MujocoException.class, () -> MjModel.compile("<mujoco><worldbody><geom type='nonsense'/></worldbody></mujoco>"));
        assertTrue(e.getMessage().contains("cannot compile"), e.getMessage());
        assertThrows(MujocoException.class, () -> MjModel.compile("not xml at all"));
        try (MjModel m = MjModel.compile(BALL)) {
            assertEquals(1, m.nq());
        }
    }

    @Test
    void shouldFallExactlyAsSemiImplicitEulerSays() {
        try (MjModel m = MjModel.compile(BALL); MjData d = new MjData(m)) {
            d.reset(new double[] {0}, new double[] {0});
            BatchStepper stepper = new BatchStepper(new MjData[] {d});
            stepper.step(10);
            assertEquals(-9.81 * 0.1, stepper.qvel().get(0), 1e-12);
        }
    }

    @Test
    void shouldRejectAStateOfTheWrongSize() {
        try (MjModel m = MjModel.compile(BALL); MjData d = new MjData(m)) {
            assertThrows(IllegalArgumentException.class, () -> d.reset(new double[2], new double[1]));
        }
    }

    @Test
    void shouldStepSeveralEnvironmentsInOneCall() {
        try (MjModel m = MjModel.compile(BALL); MjData a = new MjData(m); MjData b = new MjData(m)) {
            a.reset(new double[] {0}, new double[] {0});
            b.reset(new double[] {0}, new double[] {1});
            BatchStepper stepper = new BatchStepper(new MjData[] {a, b});
            stepper.ctrl().put(0, 9.81); // hold env 0 against gravity
            stepper.step(1);
            assertArrayEquals(new double[] {0, 1 - 0.0981}, new double[] {stepper.qvel().get(0), stepper.qvel().get(1)}, 1e-12);
        }
    }
}
