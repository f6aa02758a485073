package io.sim2real.service.startup;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * In a service that trains or acts (nn's ND4J on its classpath: env-, model- and policy-service), loads the native
 * libraries on the main thread at start-up ({@code io.sim2real.nn.NativeBackend}), before the Kafka consumers start:
 * SmallRye Reactive Messaging starts them from its own StartupEvent observer, priority 1000, and this one runs first.
 * Loaded lazily instead, they load from the first record's consumer callback on a Vert.x event-loop thread and block
 * it for seconds. A service without nn (metrics-service) has nothing to load. Looked up by name because
 * service-common does not depend on nn.
 */
@ApplicationScoped
public class NativeLibrariesStartup {

    /** The class that loads the native libraries, where a service has it. */
    public static final String BACKEND = "io.sim2real.nn.NativeBackend";

    private static final Logger LOG = Logger.getLogger(NativeLibrariesStartup.class);

    void onStart(@Observes @Priority(10) StartupEvent event) throws ReflectiveOperationException {
        Class<?> backend;
        try {
            backend = Class.forName(BACKEND);
        } catch (ClassNotFoundException e) {
            return;
        }
        long millis = (long) backend.getMethod("load").invoke(null);
        LOG.infof("ND4J native libraries loaded on %s in %d ms", Thread.currentThread().getName(), millis);
    }
}
