package io.sim2real.physics.mujoco;

/**
 * Entry point to MuJoCo: loads the shim once per process, installs its error handler, and says clearly
 * what to install when the library is missing.
 */
public final class Mujoco {

    /** The one line a service prints and fails with when MuJoCo is not installed. */
    public static final String INSTALL_HINT =
            "MuJoCo 2.2 is not installed: run 'apt-get install -y libmujoco-dev' (Debian's MuJoCo 2.2.2)";

    private static volatile Integer version;

    private Mujoco() {
    }

    /** Loads the library (once) and returns MuJoCo's version number, e.g. 222. */
    public static int version() {
        Integer v = version;
        if (v == null) {
            synchronized (Mujoco.class) {
                if (version == null) {
                    try {
                        version = MujocoNative.s2r_init();
                    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                        throw new MujocoException(INSTALL_HINT + " (" + e.getMessage() + ")", e);
                    }
                }
                v = version;
            }
        }
        return v;
    }

    static String lastError() {
        String message = MujocoNative.s2r_last_error_message();
        return message == null || message.isEmpty() ? "unknown MuJoCo error" : message;
    }

    static void check(int code, String what) {
        if (code != MujocoNative.OK) {
            throw new MujocoException(what + ": " + lastError());
        }
    }
}
