package io.sim2real.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sim2real.nn.F32;
import io.sim2real.testing.KafkaBrokerResource;
import jakarta.annotation.Priority;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

/** ND4J's native libraries are loaded at start-up on the main thread, before the Kafka consumers start. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class NativeLibrariesStartupTest {

    @Test
    void shouldLoadTheNativeLibrariesAtStartUpOffTheEventLoop() throws Exception {
        String thread = NativeLibrariesStartup.loadedOn();
        assertNotNull(thread, "the start-up observer loaded ND4J");
        assertFalse(thread.contains("eventloop") || thread.startsWith("vert.x"), "loaded on " + thread);
        assertFalse(shouldBeInitialized(F32.class), "F32's static initialiser has run");
    }

    @Test
    void shouldRunBeforeTheMessagingLifecycleStartsTheConsumers() throws Exception {
        // SmallRye Reactive Messaging starts the consumers from its StartupEvent observer of priority 1000 (Quarkus 3):
        // a lower priority runs first.
        Priority p = NativeLibrariesStartup.class.getDeclaredMethod("onStart", StartupEvent.class)
                .getParameters()[0].getAnnotation(Priority.class);
        assertNotNull(p, "onStart's StartupEvent has a @Priority");
        assertTrue(p.value() < 1000, "priority " + p.value() + " runs before the messaging lifecycle (1000)");
    }

    private static boolean shouldBeInitialized(Class<?> c) throws Exception {
        Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
        f.setAccessible(true);
        Object unsafe = f.get(null);
        return (boolean) unsafe.getClass().getMethod("shouldBeInitialized", Class.class).invoke(unsafe, c);
    }
}
