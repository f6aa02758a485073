package io.sim2real.physics.mujoco;

/** The simulation state of one environment on a model. Not thread-safe: one thread steps it at a time. */
public final class MjData implements AutoCloseable {

    private final MjModel model;
    private long handle;

    public MjData(MjModel model) {
        this.model = model;
        this.handle = MujocoNative.s2r_data_new(model.handle());
        if (handle == 0) {
            throw new MujocoException("MuJoCo could not allocate simulation data");
        }
    }

    public MjModel model() {
        return model;
    }

    long handle() {
        if (handle == 0) {
            throw new IllegalStateException("data is closed");
        }
        return handle;
    }

    /** Resets all state (so replays are exact), then sets positions and velocities. */
    public void reset(double[] qpos, double[] qvel) {
        if (qpos.length != model.nq() || qvel.length != model.nv()) {
            throw new IllegalArgumentException("state has " + qpos.length + "+" + qvel.length
                    + " values, the model needs " + model.nq() + "+" + model.nv());
        }
        Mujoco.check(MujocoNative.s2r_reset(model.handle(), handle(), qpos, qvel), "MuJoCo reset failed");
    }

    @Override
    public synchronized void close() {
        if (handle != 0) {
            MujocoNative.s2r_data_free(handle);
            handle = 0;
        }
    }
}
