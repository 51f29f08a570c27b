import dev.rebound.annotations.Retry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code JdkProxiesTest}'s fixture in the default package: the JDK defines a proxy of a package-private interface
 * here in the interface's package, the default one, as {@code $ProxyN} without a package name.
 */
public final class DefaultPackageProxies {

    private DefaultPackageProxies() {
    }

    interface Assistant {
        @Retry(attempts = 3, delay = 10, jitter = false)
        String answer(String question);
    }

    /** Always fails, counting its attempts. Woven by the agent (it implements an annotated interface). */
    public static final class Failing implements Assistant {
        public final AtomicInteger calls = new AtomicInteger();

        @Override
        public String answer(String question) {
            throw new IllegalStateException("down #" + calls.incrementAndGet());
        }
    }

    /** A delegating JDK proxy of {@link Assistant} over {@code target}. */
    public static Object proxyOver(Failing target) {
        return Proxy.newProxyInstance(Assistant.class.getClassLoader(), new Class<?>[] {Assistant.class},
                (proxy, method, args) -> {
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** {@code proxy.answer(question)}. */
    public static String answer(Object proxy, String question) {
        return ((Assistant) proxy).answer(question);
    }
}
