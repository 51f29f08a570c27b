package dev.rebound.it.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.StdErr;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * docs/guides/containers.md: the @Fallback classes come from a real Spring context, with their dependencies;
 * Rebound.wrap over a Spring JDK proxy reads the class behind it.
 */
class ContainersGuideTest {

    public interface Answers {
        @Retry(attempts = 2, delay = 100)
        @Fallback(to = CachedAnswers.class)
        String answer(String question);
    }

    /** The fallback: made by Spring, with a dependency no no-arg constructor could supply. */
    public static class CachedAnswers implements Answers {
        private final String cache;

        public CachedAnswers(String cache) {
            this.cache = cache;
        }

        @Override
        public String answer(String question) {
            return "from " + cache;
        }
    }

    /** The primary: down. */
    public static class RemoteAnswers implements Answers {
        @Override
        public String answer(String question) {
            throw new IllegalStateException("503");
        }
    }

    @Configuration
    static class Beans {
        @Bean
        CachedAnswers cachedAnswers() {
            return new CachedAnswers("the nightly cache");
        }

        @Bean
        RemoteAnswers remoteAnswers() {
            return new RemoteAnswers();
        }
    }

    @Test
    void theFallbackIsTheContextsBean() {
        VirtualTimeSource clock = new VirtualTimeSource();
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Beans.class)) {
            // docs:containers-spring
            ReboundSettings settings = ReboundSettings.builder()
                    .alternatives(type -> context.getBean(type))   // @Fallback(to = ...) classes are beans
                    // docs-omit
                    .timeSource(clock)
                    // /docs-omit
                    .build();
            Answers answers = Rebound.wrap(Answers.class, context.getBean(RemoteAnswers.class))
                    .settings(settings)
                    .build();
            // /docs:containers-spring

            assertThat(answers.answer("q")).isEqualTo("from the nightly cache");
            assertThat(clock.sleeps()).hasSize(1);
        }
    }

    // ---- Rebound.wrap over a container's JDK proxy: the annotations of the class behind it --------------

    public interface Lookup {
        String look(String key);
    }

    /** Its policy on the class's method, the interface bare; always fails. */
    public static class AnnotatedLookup implements Lookup {
        final AtomicInteger attempts = new AtomicInteger();

        @Override
        @Retry(attempts = 3, delay = 100)
        public String look(String key) {
            attempts.incrementAndGet();
            throw new IllegalStateException("look down");
        }
    }

    @Test
    void wrapOverASpringJdkProxyAppliesTheAnnotationsOfTheClassBehindIt() {
        VirtualTimeSource clock = new VirtualTimeSource();
        AnnotatedLookup bean = new AnnotatedLookup();
        ProxyFactory factory = new ProxyFactory(bean); // as an application's aspect proxies a bean: by its interfaces
        Lookup proxy = (Lookup) factory.getProxy();
        assertThat(Proxy.isProxyClass(proxy.getClass())).isTrue();

        Lookup lookup = Rebound.wrap(Lookup.class, proxy)
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();

        assertThat(catchThrowable(() -> lookup.look("k"))).hasMessage("look down");
        assertThat(bean.attempts).as("AnnotatedLookup.look's @Retry(attempts = 3)").hasValue(3);
        assertThat(clock.sleeps()).hasSize(2);
    }

    @Test
    void wrapOverAJdkProxyThatDoesNotSayItsClassWarnsThatItAppliesNoPolicy() {
        AnnotatedLookup bean = new AnnotatedLookup();
        ProxyFactory opaque = new ProxyFactory(bean);
        opaque.setOpaque(true); // Spring's proxy that does not say what it proxies
        Lookup hand = (Lookup) Proxy.newProxyInstance(Lookup.class.getClassLoader(), new Class<?>[] {Lookup.class},
                (p, m, args) -> m.invoke(bean, args));

        for (Lookup proxy : List.of((Lookup) opaque.getProxy(), hand)) {
            String log = StdErr.during(() -> Rebound.wrap(Lookup.class, proxy)
                    .settings(ReboundSettings.builder().logging(false).build()).build());

            assertThat(log).contains("WARN dev.rebound - Rebound.wrap(Lookup): the target is a JDK proxy ("
                    + proxy.getClass().getName() + ") that does not say what class is behind it, and Lookup carries "
                    + "no policy: annotations on the class behind a JDK proxy cannot be seen, so this wrapper applies "
                    + "none (annotate Lookup, give the policies to the builder, or wrap the object behind the proxy)");
        }
    }
}
