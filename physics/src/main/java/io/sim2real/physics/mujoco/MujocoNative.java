package io.sim2real.physics.mujoco;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The C shim's functions (src/main/c/sim2real_mujoco.c), bound with JNA direct mapping, which costs under
 * 1% against plain C where interface mapping costs 7-8%. Only {@link Mujoco} touches this class.
 */
final class MujocoNative {

    static final int OK = 0;
    static final int ERROR = 1;
    static final int UNSTABLE = 2;

    static {
        Native.register(MujocoNative.class, "sim2realmujoco");
    }

    private MujocoNative() {
    }

    static native int s2r_init();

    static native String s2r_last_error_message();

    static native int s2r_model_load(String xml, long[] out);

    static native void s2r_model_free(long model);

    static native void s2r_model_sizes(long model, int[] out5, double[] timestep);

    static native void s2r_model_qpos0(long model, double[] out);

    static native void s2r_model_gravity(long model, double[] out3);

    static native int s2r_model_name2id(long model, int type, String name);

    static native void s2r_model_geom_size(long model, int geom, double[] out3);

    static native double s2r_model_body_mass(long model, int body);

    static native long s2r_data_new(long model);

    static native void s2r_data_free(long data);

    static native int s2r_reset(long model, long data, double[] qpos, double[] qvel);

    // Buffers in native memory: nothing is copied between Java and C per step.
    static native int s2r_step_many(int n, Pointer models, Pointer datas, Pointer ctrl, int frameSkip,
                                    Pointer qpos, Pointer qvel, Pointer status);
}
