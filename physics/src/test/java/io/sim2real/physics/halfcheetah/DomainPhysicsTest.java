package io.sim2real.physics.halfcheetah;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sim2real.contracts.PerturbationKind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainPhysicsTest {

    @Test
    void shouldRebuildNeutralAndPerturbedPhysicsWithFixedAttachments() {
        DomainPhysics neutral = DomainPhysics.of(Map.of()).withMoveAttachments(false);
        assertFalse(neutral.moveAttachments());
        assertEquals(Map.of(), neutral.changed());
        DomainPhysics torso = DomainPhysics.of(Map.of("torso_length", 1.5)).withMoveAttachments(false);
        assertEquals(1.5, torso.factor(PerturbationKind.TORSO_LENGTH));
        assertFalse(torso.moveAttachments());
    }

    @Test
    void shouldRefuseUnknownKindsAndFactorsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> DomainPhysics.of(Map.of("magnetism", 2.0)));
        assertThrows(IllegalArgumentException.class, () -> DomainPhysics.of(Map.of("gravity", Double.NaN)));
    }
}
