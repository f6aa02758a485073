package io.sim2real.env.api;

import io.quarkus.runtime.StartupEvent;
import io.sim2real.physics.mujoco.Mujoco;
import io.sim2real.physics.mujoco.MujocoException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Fails the start, with one line saying what to install, when MuJoCo cannot be loaded. */
@ApplicationScoped
public class MujocoStartupCheck {

    private static final Logger LOG = Logger.getLogger(MujocoStartupCheck.class);

    void onStart(@Observes @Priority(0) StartupEvent event) {
        try {
            LOG.infof("MuJoCo %d loaded", Mujoco.version());
        } catch (MujocoException e) {
            LOG.error(Mujoco.INSTALL_HINT);
            throw new IllegalStateException(Mujoco.INSTALL_HINT);
        }
    }
}
