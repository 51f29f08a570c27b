package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.spi.ContainerInterception;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * What a container door registers of an application's classes stays with those classes: an
 * application whose class a door registered, and that is then dropped (a web application undeployed
 * under a Rebound in the server's shared libraries), lets its class loader go.
 */
class ContainerInterceptionRetentionTest {

    /**
     * Loaded again, alone, by a throwaway loader: the application's class, with an interceptor chain per instance
     * where Guice's generated subclasses keep theirs (read through a handle kept with the class's marks).
     */
    public static final class ApplicationClass {
        private final Object[] GUICE$HANDLERS = {new Object()};
    }

    @Test
    void aRegisteredClassOfADroppedLoaderLetsTheLoaderGo() throws Exception {
        URL classes = ApplicationClass.class.getProtectionDomain().getCodeSource().getLocation();
        URLClassLoader application = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader());
        Class<?> type = application.loadClass(ApplicationClass.class.getName());
        assertThat(type.getClassLoader()).isSameAs(application);
        ContainerInterception.register(type);
        assertThat(ContainerInterception.registered(type)).isTrue();
        assertThat(ContainerInterception.registered(ApplicationClass.class)).as("another class of that name").isFalse();
        Object instance = type.getDeclaredConstructor().newInstance();
        ContainerInterception.registerInstance(instance); // as an instance of a container's generated subclass is
        assertThat(ContainerInterception.carries(instance)).isTrue();
        assertThat(ContainerInterception.intercepts(type)).isTrue();
        assertThat(ContainerInterception.carries(type.getDeclaredConstructor().newInstance())).as("another instance")
                .isFalse();
        assertThat(ContainerInterception.intercepts(ApplicationClass.class)).as("another class of that name").isFalse();
        WeakReference<ClassLoader> loader = new WeakReference<>(application);
        application.close();
        application = null;
        type = null;
        instance = null;

        for (int i = 0; i < 50 && loader.get() != null; i++) {
            System.gc();
        }

        assertThat(loader.get()).as("the dropped application's loader, after GC").isNull();
    }
}
