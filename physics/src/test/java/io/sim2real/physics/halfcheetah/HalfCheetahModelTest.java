package io.sim2real.physics.halfcheetah;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.physics.mujoco.MjModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HalfCheetahModelTest {

    private static final String[] BODIES = {"torso", "bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot"};

    @Test
    void shouldWriteTheUnperturbedModelForFactorsOfOne() {
        DomainPhysics ones = DomainPhysics.neutral();
        for (PerturbationKind k : PerturbationKind.values()) {
            ones = ones.with(k, k.neutral());
        }
        assertEquals(HalfCheetahMjcf.write(DomainPhysics.neutral()), HalfCheetahMjcf.write(ones));
    }

    @Test
    void shouldHaveTheStandardMassesAndGravity() {
        try (MjModel m = MjModel.compile(HalfCheetahMjcf.write(DomainPhysics.neutral()))) {
            double total = 0;
            for (String b : BODIES) {
                total += m.bodyMass(b);
            }
            assertEquals(14.0, total, 1e-9);
            assertEquals(6.25, m.bodyMass("torso"), 0.05);
            assertEquals(1.54, m.bodyMass("bthigh"), 0.02);
            assertEquals(0.89, m.bodyMass("ffoot"), 0.02);
            assertEquals(-9.81, m.gravity()[2], 0.0);
            assertEquals(9, m.nq());
            assertEquals(6, m.nu());
        }
    }

    @Test
    void shouldDoubleTheTorsoGeomAndKeepTheTotalMass() {
        DomainPhysics torso2 = DomainPhysics.neutral().with(PerturbationKind.TORSO_LENGTH, 2.0);
        try (MjModel base = MjModel.compile(HalfCheetahMjcf.write(DomainPhysics.neutral()));
             MjModel longer = MjModel.compile(HalfCheetahMjcf.write(torso2))) {
            assertEquals(2 * base.geomSize("torso")[1], longer.geomSize("torso")[1], 1e-12);
            double total = 0;
            for (String b : BODIES) {
                total += longer.bodyMass(b);
            }
            assertEquals(14.0, total, 1e-9, "settotalmass redistributes, it does not add");
            assertEquals(true, longer.bodyMass("torso") > base.bodyMass("torso"));
        }
    }

    @Test
    void shouldScaleThighsAndOptionallyLeaveTheKneesWhereTheyWere() {
        DomainPhysics thigh15 = DomainPhysics.neutral().with(PerturbationKind.THIGH_LENGTH, 1.5);
        try (MjModel m = MjModel.compile(HalfCheetahMjcf.write(thigh15))) {
            assertEquals(1.5 * 0.145, m.geomSize("bthigh")[1], 1e-12);
            assertEquals(1.5 * 0.133, m.geomSize("fthigh")[1], 1e-12);
        }
        String moved = HalfCheetahMjcf.write(thigh15);
        String fixed = HalfCheetahMjcf.write(thigh15.withMoveAttachments(false));
        assertEquals(true, moved.contains("<body name=\"bshin\" pos=\"" + 0.16 * 1.5 + " 0 " + -0.25 * 1.5 + "\">"));
        assertEquals(true, fixed.contains("<body name=\"bshin\" pos=\"0.16 0 -0.25\">"));
    }

    @Test
    void shouldRejectUnknownKindsAndOutOfRangeFactors() {
        assertThrows(IllegalArgumentException.class, () -> DomainPhysics.of(Map.of("wind", 1.0)));
        assertThrows(IllegalArgumentException.class, () -> DomainPhysics.of(Map.of("gravity", -1.0)));
        assertThrows(IllegalArgumentException.class, () -> DomainPhysics.of(Map.of("action_delay", 0.5)));
        assertThrows(IllegalArgumentException.class, () -> DomainPhysics.of(Map.of("gravity", Double.NaN)));
    }
}
