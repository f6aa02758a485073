package io.sim2real.physics.halfcheetah;

import static io.sim2real.contracts.PerturbationKind.ACTUATOR_GEAR;
import static io.sim2real.contracts.PerturbationKind.BODY_MASS;
import static io.sim2real.contracts.PerturbationKind.FRICTION;
import static io.sim2real.contracts.PerturbationKind.GRAVITY;
import static io.sim2real.contracts.PerturbationKind.JOINT_DAMPING;
import static io.sim2real.contracts.PerturbationKind.THIGH_LENGTH;
import static io.sim2real.contracts.PerturbationKind.TORSO_LENGTH;

/**
 * Writes the HalfCheetah model (MJCF, MuJoCo 2.2 syntax) for a domain, from the facts in
 * shared/docs/HALFCHEETAH.md. Physical perturbations are applied here, in the model; observation noise and
 * action delay are applied by the environment. Every number is the unperturbed value times its factor,
 * so all factors 1.0 give exactly the unperturbed text.
 */
public final class HalfCheetahMjcf {

    /** Unperturbed facts. */
    static final double TIMESTEP = 0.01;
    static final double GRAVITY_Z = -9.81;
    static final double TOTAL_MASS = 14;
    static final double TORSO_HALF_LENGTH = 0.5;
    static final double BTHIGH_HALF_LENGTH = 0.145;
    static final double FTHIGH_HALF_LENGTH = 0.133;

    private HalfCheetahMjcf() {
    }

    public static String write(DomainPhysics p) {
        double torso = p.factor(TORSO_LENGTH);
        double thigh = p.factor(THIGH_LENGTH);
        double gear = p.factor(ACTUATOR_GEAR);
        double damping = p.factor(JOINT_DAMPING);
        double friction = p.factor(FRICTION);
        // What moves with a longer torso: the hips and the head; with longer thighs: the knees.
        double torsoAttach = p.moveAttachments() ? torso : 1.0;
        double thighAttach = p.moveAttachments() ? thigh : 1.0;
        double torsoEnd = TORSO_HALF_LENGTH * torso;
        double hip = TORSO_HALF_LENGTH * torsoAttach;

        return """
                <mujoco model="half_cheetah">
                  <compiler angle="radian" coordinate="local" inertiafromgeom="true" settotalmass="%s"/>
                  <option timestep="%s" gravity="0 0 %s"/>
                  <size nstack="20000" nconmax="50" njmax="150"/>
                  <default>
                    <joint armature="0.1" damping="%s" limited="true" stiffness="8" solimplimit="0 0.8 0.03" solreflimit="0.02 1"/>
                    <geom conaffinity="0" condim="3" contype="1" friction="%s %s %s" solimp="0.0 0.8 0.01" solref="0.02 1"/>
                    <motor ctrllimited="true" ctrlrange="-1 1"/>
                  </default>
                  <worldbody>
                    <geom name="floor" type="plane" conaffinity="1" condim="3" pos="0 0 0" size="40 40 40"/>
                    <body name="torso" pos="0 0 0.7">
                      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 0" armature="0" damping="0" stiffness="0" limited="false"/>
                      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 0" armature="0" damping="0" stiffness="0" limited="false"/>
                      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" armature="0" damping="0" stiffness="0" limited="false"/>
                      <geom name="torso" type="capsule" fromto="%s 0 0 %s 0 0" size="0.046"/>
                      <geom name="head" type="capsule" axisangle="0 1 0 0.87" pos="%s 0 0.1" size="0.046 0.15"/>
                      <body name="bthigh" pos="%s 0 0">
                        <joint name="bthigh" type="hinge" axis="0 1 0" pos="0 0 0" range="-0.52 1.05" stiffness="240" damping="%s"/>
                        <geom name="bthigh" type="capsule" axisangle="0 1 0 -3.8" pos="%s 0 %s" size="0.046 %s"/>
                        <body name="bshin" pos="%s 0 %s">
                          <joint name="bshin" type="hinge" axis="0 1 0" pos="0 0 0" range="-0.785 0.785" stiffness="180" damping="%s"/>
                          <geom name="bshin" type="capsule" axisangle="0 1 0 -2.03" pos="-0.14 0 -0.07" size="0.046 0.15"/>
                          <body name="bfoot" pos="-0.28 0 -0.14">
                            <joint name="bfoot" type="hinge" axis="0 1 0" pos="0 0 0" range="-0.4 0.785" stiffness="120" damping="%s"/>
                            <geom name="bfoot" type="capsule" axisangle="0 1 0 -0.27" pos="0.03 0 -0.097" size="0.046 0.094"/>
                          </body>
                        </body>
                      </body>
                      <body name="fthigh" pos="%s 0 0">
                        <joint name="fthigh" type="hinge" axis="0 1 0" pos="0 0 0" range="-1 0.7" stiffness="180" damping="%s"/>
                        <geom name="fthigh" type="capsule" axisangle="0 1 0 0.52" pos="%s 0 %s" size="0.046 %s"/>
                        <body name="fshin" pos="%s 0 %s">
                          <joint name="fshin" type="hinge" axis="0 1 0" pos="0 0 0" range="-1.2 0.87" stiffness="120" damping="%s"/>
                          <geom name="fshin" type="capsule" axisangle="0 1 0 -0.6" pos="0.065 0 -0.09" size="0.046 0.106"/>
                          <body name="ffoot" pos="0.13 0 -0.18">
                            <joint name="ffoot" type="hinge" axis="0 1 0" pos="0 0 0" range="-0.5 0.5" stiffness="60" damping="%s"/>
                            <geom name="ffoot" type="capsule" axisangle="0 1 0 -0.6" pos="0.045 0 -0.07" size="0.046 0.07"/>
                          </body>
                        </body>
                      </body>
                    </body>
                  </worldbody>
                  <actuator>
                    <motor name="bthigh" joint="bthigh" gear="%s"/>
                    <motor name="bshin" joint="bshin" gear="%s"/>
                    <motor name="bfoot" joint="bfoot" gear="%s"/>
                    <motor name="fthigh" joint="fthigh" gear="%s"/>
                    <motor name="fshin" joint="fshin" gear="%s"/>
                    <motor name="ffoot" joint="ffoot" gear="%s"/>
                  </actuator>
                </mujoco>
                """.formatted(
                n(TOTAL_MASS * p.factor(BODY_MASS)),
                n(TIMESTEP), n(GRAVITY_Z * p.factor(GRAVITY)),
                n(0.01 * damping),
                n(0.4 * friction), n(0.1 * friction), n(0.1 * friction),
                n(-torsoEnd), n(torsoEnd),
                n(hip + 0.1),
                // back leg: the thigh capsule's centre and half-length scale; the shin hangs at its end
                n(-hip), n(6 * damping),
                n(0.1 * thigh), n(-0.13 * thigh), n(BTHIGH_HALF_LENGTH * thigh),
                n(0.16 * thighAttach), n(-0.25 * thighAttach), n(4.5 * damping),
                n(3 * damping),
                // front leg
                n(hip), n(4.5 * damping),
                n(-0.07 * thigh), n(-0.12 * thigh), n(FTHIGH_HALF_LENGTH * thigh),
                n(-0.14 * thighAttach), n(-0.24 * thighAttach), n(3 * damping),
                n(1.5 * damping),
                n(120 * gear), n(90 * gear), n(60 * gear), n(120 * gear), n(60 * gear), n(30 * gear));
    }

    private static String n(double v) {
        return Double.toString(v);
    }
}
