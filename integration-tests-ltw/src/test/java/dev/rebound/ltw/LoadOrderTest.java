package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.ltw.order.BaseClient;
import dev.rebound.ltw.order.Remote;
import dev.rebound.ltw.order.RemoteBase;
import dev.rebound.ltw.order.RemoteClient;
import dev.rebound.runtime.Rebound;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Under the agent, a class that implements a type-level annotated interface gets the interface's
 * policy whichever of the two the JVM loads first. Each test defines its own copies of both in a fresh
 * class loader (over the same javac-compiled bytes), so the order is the test's, not the suite's.
 */
class LoadOrderTest extends VirtualClock {

    private static final String CLIENT = RemoteClient.class.getName();
    private static final String INTERFACE = Remote.class.getName();

    /** Defines the classes of {@code dev.rebound.ltw.order} itself (the agent weaves them), in the order asked. */
    static final class FreshLoader extends ClassLoader {

        final List<String> defined = new CopyOnWriteArrayList<>();

        FreshLoader() {
            super(LoadOrderTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(Remote.class.getPackageName() + ".")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    byte[] bytes;
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        bytes = in.readAllBytes();
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                    defined.add(name);
                    c = defineClass(name, bytes, 0, bytes.length);
                }
                return c;
            }
        }
    }

    /** Calls {@code call("p")}, which always fails: three attempts, and the caller gets the last one's exception. */
    private static void assertRetriedThreeTimes(Class<?> client) throws Exception {
        Object instance = client.getConstructor().newInstance();
        assertThat(Rebound.isResilient(instance)).isTrue();

        Throwable thrown = catchThrowable(() -> client.getMethod("call", String.class).invoke(instance, "p"));

        assertThat(thrown).isInstanceOf(InvocationTargetException.class);
        assertThat(client.getField("calls").getInt(instance)).isEqualTo(3);
        assertThat(thrown.getCause()).isSameAs(client.getField("last").get(instance))
                .hasMessage("attempt 3");
    }

    @Test
    void aClassLoadedBeforeItsTypeLevelAnnotatedInterfaceGetsItsPolicy() throws Exception {
        FreshLoader loader = new FreshLoader();

        Class<?> client = Class.forName(CLIENT, true, loader);

        // defining the class loads its interface: the class was woven first
        assertThat(loader.defined).containsExactly(CLIENT, INTERFACE);
        assertRetriedThreeTimes(client);
    }

    @Test
    void aClassLoadedBeforeItsTypeLevelAnnotatedSuperclassGetsItsPolicy() throws Exception {
        FreshLoader loader = new FreshLoader();

        Class<?> client = Class.forName(BaseClient.class.getName(), true, loader);

        assertThat(loader.defined).containsExactly(BaseClient.class.getName(), RemoteBase.class.getName());
        assertRetriedThreeTimes(client);
    }

    @Test
    void aClassLoadedAfterItsTypeLevelAnnotatedInterfaceGetsItsPolicy() throws Exception {
        FreshLoader loader = new FreshLoader();

        Class.forName(INTERFACE, true, loader);
        Class<?> client = Class.forName(CLIENT, true, loader);

        assertThat(loader.defined).containsExactly(INTERFACE, CLIENT);
        assertRetriedThreeTimes(client);
    }
}
