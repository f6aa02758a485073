package io.sim2real.physics.mujoco;

/** MuJoCo reported an error (a model that does not compile, a failed step); the JVM carries on. */
public class MujocoException extends RuntimeException {

    public MujocoException(String message) {
        super(message);
    }

    public MujocoException(String message, Throwable cause) {
        super(message, cause);
    }
}
