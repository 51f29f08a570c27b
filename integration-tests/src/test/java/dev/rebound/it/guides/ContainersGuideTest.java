package dev.rebound.it.guides;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** docs/guides/containers.md: the @Fallback classes come from a real Spring context, with their dependencies. */
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
}
