package io.sim2real.physics.mujoco;

/**
 * A compiled MuJoCo model. Read-only after compilation, so one model may be shared by many {@link MjData}
 * on many threads. Close it when no data uses it any more.
 */
public final class MjModel implements AutoCloseable {

    /** mjtObj values used to look names up. */
    public enum ObjectType {
        BODY(1), JOINT(3), GEOM(5), ACTUATOR(19);

        final int code;

        ObjectType(int code) {
            this.code = code;
        }
    }

    private long handle;
    private final int nq;
    private final int nv;
    private final int nu;
    private final double timestep;

    private MjModel(long handle) {
        this.handle = handle;
        int[] sizes = new int[5];
        double[] dt = new double[1];
        MujocoNative.s2r_model_sizes(handle, sizes, dt);
        this.nq = sizes[0];
        this.nv = sizes[1];
        this.nu = sizes[2];
        this.timestep = dt[0];
    }

    /** Compiles MJCF text; a model that does not compile throws with MuJoCo's message. */
    public static MjModel compile(String mjcf) {
        Mujoco.version();
        long[] out = new long[1];
        Mujoco.check(MujocoNative.s2r_model_load(mjcf, out), "MuJoCo cannot compile the model");
        return new MjModel(out[0]);
    }

    long handle() {
        if (handle == 0) {
            throw new IllegalStateException("model is closed");
        }
        return handle;
    }

    public int nq() {
        return nq;
    }

    public int nv() {
        return nv;
    }

    public int nu() {
        return nu;
    }

    public double timestep() {
        return timestep;
    }

    public double[] qpos0() {
        double[] out = new double[nq];
        MujocoNative.s2r_model_qpos0(handle(), out);
        return out;
    }

    public double[] gravity() {
        double[] out = new double[3];
        MujocoNative.s2r_model_gravity(handle(), out);
        return out;
    }

    public int id(ObjectType type, String name) {
        int id = MujocoNative.s2r_model_name2id(handle(), type.code, name);
        if (id < 0) {
            throw new IllegalArgumentException("the model has no " + type.name().toLowerCase() + " named '" + name + "'");
        }
        return id;
    }

    /** The size parameters of a geom (for a capsule: radius, half-length, unused). */
    public double[] geomSize(String geom) {
        double[] out = new double[3];
        MujocoNative.s2r_model_geom_size(handle(), id(ObjectType.GEOM, geom), out);
        return out;
    }

    public double bodyMass(String body) {
        return MujocoNative.s2r_model_body_mass(handle(), id(ObjectType.BODY, body));
    }

    @Override
    public synchronized void close() {
        if (handle != 0) {
            MujocoNative.s2r_model_free(handle);
            handle = 0;
        }
    }
}
