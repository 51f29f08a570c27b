package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import dev.rebound.annotations.Retry;
import dev.rebound.it.plain.SelfCallingSummarizer;
import dev.rebound.it.plain.Summarizer;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.weaver.guice.ReboundModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/**
 * An alternative called through a method without a policy of its own keeps the policies of the
 * methods it calls on itself. The engine marks its own call on an alternative so that the
 * alternative's door lets that one call through; no door takes the mark on a method it applies no
 * policy to, and a mark left over would be taken by the alternative's next self-call to a method
 * with a policy, which would then run once, silently.
 */
class AlternativeSelfCallDoorsTest extends VirtualTime {

    /** No annotations: the policy is the builder's. */
    public interface Answers {
        String answer(String question);
    }

    /** Woven by ajc (as this module's tests are): {@code answer} has no policy, {@code warmUp} has one. */
    public static class LocalModel implements Answers {
        public int warmUps;

        @Override
        public String answer(String question) {
            warmUp();
            return "local: " + question;
        }

        @Retry(attempts = 3, delay = 10, jitter = false)
        public void warmUp() {
            if (++warmUps == 1) {
                throw new IllegalStateException("cold");
            }
        }
    }

    @Test
    void aWovenAlternativeKeepsTheRetryOfAMethodItCallsOnItself() {
        LocalModel local = new LocalModel();
        Answers remoteDown = q -> {
            throw new UncheckedIOException(new IOException("503"));
        };
        Answers answers = Rebound.wrap(Answers.class, remoteDown)
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withFallbacks(local)
                .build();

        assertThat(answers.answer("q")).isEqualTo("local: q");
        assertThat(local.warmUps).isEqualTo(2);
        assertThat(clock.sleeps()).hasSize(1);
    }

    @Test
    void anAlternativeGuiceConstructsKeepsTheRetryOfAMethodItCallsOnItself() {
        SelfCallingSummarizer intercepted = Guice.createInjector(new ReboundModule())
                .getInstance(SelfCallingSummarizer.class);
        Summarizer down = new Summarizer() {
            @Override
            public String chat(String prompt) {
                throw new UncheckedIOException(new IOException("503"));
            }

            @Override
            public String summarize(String text) {
                throw new UncheckedIOException(new IOException("503"));
            }
        };
        Summarizer summaries = Rebound.wrap(Summarizer.class, down)
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withFallbacks(intercepted)
                .build();

        assertThat(summaries.summarize("x")).isEqualTo("ok: summarize x");
        assertThat(intercepted.calls).containsExactly("summarize x", "summarize x", "summarize x");
    }
}
