package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Rebound;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Under the agent: a JDK dynamic proxy of a package-private interface is defined in the interface's own package
 * (a public interface's in {@code jdk.proxyN}, which aop.xml leaves out), where the agent sees it. It calls a
 * separate target (or {@code Rebound.wrap}'s engine), so weaving it would apply the policy twice: it is never woven.
 * The aspect tells it by what the JDK's {@link Proxy} says of its proxy classes (final, named {@code $Proxy...}),
 * so the application's own subclass of {@code Proxy} is woven as any class.
 */
class JdkProxiesTest extends VirtualClock {

    /** Package-private, as langchain4j's guide writes its {@code interface Assistant}. */
    interface Assistant {
        @Retry(attempts = 3, delay = 10, jitter = false)
        String answer(String question);
    }

    /** Always fails, counting its attempts. Woven by the agent (it implements an annotated interface). */
    public static class Failing implements Assistant {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String answer(String question) {
            throw new IllegalStateException("down #" + calls.incrementAndGet());
        }
    }

    /** A plain delegating handler: a logging or metrics proxy of the application's, or a library's. */
    static InvocationHandler delegatingTo(Object target) {
        return (proxy, method, args) -> {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
    }

    @Test
    void aDelegatingJdkProxyOfAWovenObjectAppliesThePolicyOnceNotTwice() {
        Failing target = new Failing();
        Assistant proxy = (Assistant) Proxy.newProxyInstance(Assistant.class.getClassLoader(),
                new Class<?>[] {Assistant.class}, delegatingTo(target));

        Throwable thrown = catchThrowable(() -> proxy.answer("q"));

        assertThat(target.calls.get()).isEqualTo(3);
        assertThat(thrown).hasMessage("down #3");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
        assertThat(proxy.getClass().getPackageName()).isEqualTo(Assistant.class.getPackageName());
        assertThat(woven(Failing.class)).isTrue();
        assertThat(woven(proxy.getClass())).as(proxy.getClass().getName()).isFalse();
    }

    @Test
    void reboundWrapViaItsJdkProxyOverALambdaAppliesThePolicyOnce() {
        AtomicInteger calls = new AtomicInteger();
        Assistant lambda = question -> {
            throw new IllegalStateException("down #" + calls.incrementAndGet());
        };
        Assistant wrapped = Rebound.wrap(Assistant.class, lambda).viaJdkProxy().build();

        Throwable thrown = catchThrowable(() -> wrapped.answer("q"));

        assertThat(calls.get()).isEqualTo(3);
        assertThat(thrown).hasMessage("down #3");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
        assertThat(Proxy.isProxyClass(wrapped.getClass())).isTrue();
        assertThat(woven(wrapped.getClass())).as(wrapped.getClass().getName()).isFalse();
    }

    @Test
    void aJdkProxyOfAPackagePrivateInterfaceInTheDefaultPackageIsNotWovenEither() throws Exception {
        Class<?> fixtures = Class.forName("DefaultPackageProxies");
        Object target = Class.forName("DefaultPackageProxies$Failing").getConstructor().newInstance();
        Object proxy = fixtures.getMethod("proxyOver", target.getClass()).invoke(null, target);

        Throwable thrown = catchThrowable(() -> fixtures.getMethod("answer", Object.class, String.class)
                .invoke(null, proxy, "q"));

        assertThat(target.getClass().getField("calls").get(target)).hasToString("3");
        assertThat(thrown).isInstanceOf(InvocationTargetException.class).cause().hasMessage("down #3");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
        assertThat(proxy.getClass().getName()).startsWith("$Proxy"); // no package
        assertThat(woven(target.getClass())).isTrue();
        assertThat(woven(proxy.getClass())).as(proxy.getClass().getName()).isFalse();
    }

    /**
     * The application's own subclass of {@link Proxy} (legal: its constructor is protected), not one the JDK
     * generated: woven as any class, its own {@code @Retry} applied.
     */
    public static class Pinger extends Proxy {
        final AtomicInteger calls = new AtomicInteger();

        public Pinger() {
            super((proxy, method, args) -> null);
        }

        @Retry(attempts = 3, delay = 10, jitter = false)
        public String ping(String host) {
            throw new IllegalStateException("down #" + calls.incrementAndGet());
        }
    }

    @Test
    void aClassOfTheApplicationsThatExtendsProxyIsWovenWithItsRetry() {
        Pinger pinger = new Pinger();

        Throwable thrown = catchThrowable(() -> pinger.ping("example.org"));

        assertThat(pinger.calls.get()).isEqualTo(3);
        assertThat(thrown).hasMessage("down #3");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
        assertThat(Proxy.isProxyClass(Pinger.class)).isFalse();
        assertThat(Rebound.isResilient(pinger)).isTrue();
    }
}
