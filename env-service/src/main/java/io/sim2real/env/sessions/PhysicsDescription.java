package io.sim2real.env.sessions;

import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.mujoco.MjModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a domain's compiled physics actually is: the factors, and the resulting model's key quantities. */
public record PhysicsDescription(Map<String, Double> factors, boolean moveAttachments, double[] gravity,
                                 double timestep, int frameSkip, Map<String, Double> bodyMasses,
                                 Map<String, Double> geomHalfLengths) {

    private static final String[] BODIES = {"torso", "bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot"};

    public static PhysicsDescription of(DomainPhysics physics, MjModel model) {
        Map<String, Double> masses = new LinkedHashMap<>();
        Map<String, Double> lengths = new LinkedHashMap<>();
        for (String b : BODIES) {
            masses.put(b, model.bodyMass(b));
            // The torso capsule is given by fromto: its size[1] is the half-length, as for the leg capsules.
            lengths.put(b, model.geomSize(b)[1]);
        }
        return new PhysicsDescription(physics.changed(), physics.moveAttachments(), model.gravity(), model.timestep(),
                HalfCheetahEnv.FRAME_SKIP, masses, lengths);
    }
}
