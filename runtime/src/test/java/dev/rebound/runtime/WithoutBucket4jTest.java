package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.RateLimit;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * A rate limit in an application without Bucket4j (an optional dependency of Rebound's) is refused
 * when the wrapper is built, through the annotation and through the builder, in the words
 * configuration-errors.md lists: never a {@code NoClassDefFoundError} at the first call, never a limit
 * silently not applied. Rebound, its annotations and SLF4J's API are loaded again by a loader that
 * has no Bucket4j, with the {@link Application} below.
 */
class WithoutBucket4jTest {

    public interface Chat {
        String chat(String prompt);
    }

    public interface LimitedChat {
        @RateLimit(requestsPerMinute = 60)
        String chat(String prompt);
    }

    /** What the application does, run in the loader without Bucket4j: each answer is what the build said. */
    public static final class Application {
        public static String builder() {
            try {
                Rebound.wrap(Chat.class, (Chat) p -> "ok")
                        .withRateLimit(RateLimitPolicy.builder().requestsPerMinute(60).build()).build();
                return "built";
            } catch (ReboundConfigurationException e) {
                return e.getMessage();
            }
        }

        public static String annotation() {
            try {
                Rebound.wrap(LimitedChat.class, (LimitedChat) p -> "ok").build();
                return "built";
            } catch (ReboundConfigurationException e) {
                return e.getMessage();
            }
        }
    }

    private static URL where(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    private static String run(String step) throws Exception {
        URL[] withoutBucket4j = {where(Rebound.class), where(RateLimit.class), where(org.slf4j.Logger.class),
                where(WithoutBucket4jTest.class)};
        try (URLClassLoader application = new URLClassLoader("no-bucket4j", withoutBucket4j,
                ClassLoader.getPlatformClassLoader())) {
            assertThat(application.getResource("io/github/bucket4j/Bucket.class")).isNull();
            Class<?> app = application.loadClass(Application.class.getName());
            assertThat(app.getClassLoader()).isSameAs(application);
            return (String) app.getMethod(step).invoke(null);
        }
    }

    @Test
    void aRateLimitWithoutBucket4jIsRefusedWhenTheWrapperIsBuiltThroughTheBuilder() throws Exception {
        assertThat(run("builder")).contains("withRateLimit needs com.bucket4j:bucket4j_jdk17-core on the class path");
    }

    @Test
    void aRateLimitWithoutBucket4jIsRefusedWhenTheWrapperIsBuiltThroughTheAnnotation() throws Exception {
        assertThat(run("annotation")).contains(
                "LimitedChat.chat(String): @RateLimit.key needs com.bucket4j:bucket4j_jdk17-core on the class path");
    }
}
