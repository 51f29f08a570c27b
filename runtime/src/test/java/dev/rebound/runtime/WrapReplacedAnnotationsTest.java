package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.RateLimit;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code Rebound.wrap(...)} with builder policies replaces the annotations of the interface and the
 * target's class, as documented, and says so: one WARN per {@code build()}, naming each method and the
 * annotations not applied.
 */
class WrapReplacedAnnotationsTest {

    public interface LimitedChat {
        @RateLimit(key = "wrap-replaced-annotations", requestsPerMinute = 1, maxDelay = 0)
        String chat(String prompt);

        String plain(String prompt);
    }

    static final class RetryingChat implements LimitedChat {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String chat(String prompt) {
            calls.incrementAndGet();
            return "answer";
        }

        @Override
        @Retry(attempts = 5)
        public String plain(String prompt) {
            return prompt;
        }
    }

    public interface Bare {
        String chat(String prompt);
    }

    private final ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource())
            .logging(false).build();

    private static final String WARNING = " WARN dev.rebound - Rebound.wrap(LimitedChat) with builder policies: "
            + "the annotations of LimitedChat.chat(String) (@RateLimit), LimitedChat.plain(String) (@Retry) are "
            + "not applied; the builder's policies replace them (give every policy to the builder, or wrap "
            + "without builder policies to apply the annotations)";

    @Test
    void builderPoliciesOverAnnotatedInterfaceAndTargetWarnOncePerBuildNamingEachAnnotation() {
        RetryingChat target = new RetryingChat();
        LimitedChat[] tuned = new LimitedChat[1];
        String log = StdErr.during(() -> tuned[0] = Rebound.wrap(LimitedChat.class, (LimitedChat) target)
                .withRetry(RetryPolicy.builder().attempts(2).build()).settings(settings).build());

        assertThat(log.lines().filter(l -> l.contains("Rebound.wrap(LimitedChat)"))).singleElement()
                .satisfies(line -> assertThat(line).endsWith(WARNING));
        tuned[0].chat("a");
        tuned[0].chat("b");
        assertThat(target.calls).as("the interface's rate limit is replaced, as the warning says").hasValue(2);

        String again = StdErr.during(() -> Rebound.wrap(LimitedChat.class, (LimitedChat) target)
                .withRetry(RetryPolicy.builder().attempts(2).build()).settings(settings).build());
        assertThat(again.lines().filter(l -> l.contains("Rebound.wrap(LimitedChat)"))).as("once per build")
                .singleElement().satisfies(line -> assertThat(line).endsWith(WARNING));
    }

    @Test
    void withoutBuilderPoliciesTheAnnotationsApplyAndNothingIsSaid() {
        RetryingChat target = new RetryingChat();
        String log = StdErr.during(() -> {
            LimitedChat annotated = Rebound.wrap(LimitedChat.class, (LimitedChat) target).settings(settings).build();
            annotated.chat("a");
            assertThat(catchThrowable(() -> annotated.chat("b"))).isInstanceOf(RateLimitRefusedException.class);
        });
        assertThat(target.calls).hasValue(1);
        assertThat(log).doesNotContain("with builder policies");
    }

    @Test
    void builderPoliciesOverAnUnannotatedTypeSayNothing() {
        String log = StdErr.during(() -> Rebound.wrap(Bare.class, p -> p)
                .withRetry(RetryPolicy.builder().attempts(2).build()).settings(settings).build());
        assertThat(log).doesNotContain("with builder policies");
    }
}
