package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.ltw.order.BaseClient;
import dev.rebound.ltw.order.Rank;
import dev.rebound.ltw.order.Ranked;
import dev.rebound.ltw.order.Remote;
import dev.rebound.ltw.order.RemoteBase;
import dev.rebound.ltw.order.RemoteClient;
import dev.rebound.ltw.order.RemoteTier;
import dev.rebound.runtime.Rebound;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Under the agent, a class or an enum that implements an annotated interface gets the interface's
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
        assertRetriedThreeTimes(client, client.getConstructor().newInstance());
    }

    /** As above, on {@code instance} of the public type {@code type} (an enum constant's class body is not). */
    private static void assertRetriedThreeTimes(Class<?> type, Object instance) throws Exception {
        Throwable thrown = catchThrowable(() -> type.getMethod("call", String.class).invoke(instance, "p"));

        assertThat(thrown).isInstanceOf(InvocationTargetException.class);
        assertThat(type.getField("calls").getInt(instance)).as("attempts").isEqualTo(3);
        assertThat(thrown.getCause()).isSameAs(type.getField("last").get(instance))
                .hasMessage("attempt 3");
        assertThat(Rebound.isResilient(instance)).as("Rebound.isResilient").isTrue();
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

    @Test
    void anEnumLoadedBeforeItsTypeLevelAnnotatedInterfaceGetsItsPolicy() throws Exception {
        FreshLoader loader = new FreshLoader();

        Class<?> tier = Class.forName(RemoteTier.class.getName(), true, loader);

        assertThat(loader.defined).containsExactly(RemoteTier.class.getName(), INTERFACE);
        assertRetriedThreeTimes(tier, tier.getEnumConstants()[0]);
    }

    @Test
    void anEnumAndItsConstantsClassBodyLoadedBeforeTheirMethodLevelAnnotatedInterfaceGetItsPolicy()
            throws Exception {
        FreshLoader loader = new FreshLoader();

        Class<?> rank = Class.forName(Rank.class.getName(), true, loader);

        assertThat(loader.defined).containsExactly(Rank.class.getName(), Ranked.class.getName(),
                Rank.class.getName() + "$1");
        Object[] constants = rank.getEnumConstants();
        assertThat(constants[1].getClass().getName()).isEqualTo(Rank.class.getName() + "$1");
        assertRetriedThreeTimes(rank, constants[0]);
        assertRetriedThreeTimes(rank, constants[1]);
    }

    @Test
    void anEnumLoadedAfterItsTypeLevelAnnotatedInterfaceGetsItsPolicy() throws Exception {
        FreshLoader loader = new FreshLoader();

        Class.forName(INTERFACE, true, loader);
        Class<?> tier = Class.forName(RemoteTier.class.getName(), true, loader);

        assertThat(loader.defined).containsExactly(INTERFACE, RemoteTier.class.getName());
        assertRetriedThreeTimes(tier, tier.getEnumConstants()[0]);
    }
}
