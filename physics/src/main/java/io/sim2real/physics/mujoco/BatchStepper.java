package io.sim2real.physics.mujoco;

/**
 * Steps a group of environments in one native call: the call overhead is paid once per group, not per env.
 * Buffers are allocated once; every call reuses them. One instance per thread.
 */
public final class BatchStepper {

    private final MjData[] datas;
    private final long[] models;
    private final long[] handles;
    private final int nq;
    private final int nv;
    private final int nu;
    private final double[] ctrl;
    private final double[] qpos;
    private final double[] qvel;
    private final int[] status;

    /** All data must belong to models of the same sizes (perturbed variants of one robot). */
    public BatchStepper(MjData[] datas) {
        if (datas.length == 0) {
            throw new IllegalArgumentException("no environments to step");
        }
        this.datas = datas.clone();
        this.nq = datas[0].model().nq();
        this.nv = datas[0].model().nv();
        this.nu = datas[0].model().nu();
        this.models = new long[datas.length];
        this.handles = new long[datas.length];
        for (int i = 0; i < datas.length; i++) {
            MjModel m = datas[i].model();
            if (m.nq() != nq || m.nv() != nv || m.nu() != nu) {
                throw new IllegalArgumentException("environment " + i + " has another model size");
            }
            models[i] = m.handle();
            handles[i] = datas[i].handle();
        }
        this.ctrl = new double[datas.length * nu];
        this.qpos = new double[datas.length * nq];
        this.qvel = new double[datas.length * nv];
        this.status = new int[datas.length];
    }

    public int size() {
        return datas.length;
    }

    /** Controls to apply, env i at [i*nu, (i+1)*nu). Written by the caller before {@link #step}. */
    public double[] ctrl() {
        return ctrl;
    }

    /** Positions after the last step, env i at [i*nq, (i+1)*nq). */
    public double[] qpos() {
        return qpos;
    }

    public double[] qvel() {
        return qvel;
    }

    /** Whether env i went unstable in the last step (MuJoCo reset its data). */
    public boolean unstable(int i) {
        return status[i] == MujocoNative.UNSTABLE;
    }

    public void step(int frameSkip) {
        Mujoco.check(MujocoNative.s2r_step_many(datas.length, models, handles, ctrl, frameSkip, qpos, qvel, status),
                "MuJoCo step failed");
    }
}
