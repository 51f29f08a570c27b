package dev.rebound.it.seed;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeModel;

/**
 * The seed's combined example: {@code gpt-4.with_retry(stop_after_attempt=2)} falling back to
 * {@code gpt-3.5-turbo.with_retry(stop_after_attempt=2)}. The interface's {@code @Retry} is also
 * the alternative's own.
 */
public final class RetryAndFallback {

    private RetryAndFallback() {
    }

    public interface Llm {
        @Retry(attempts = 2, delay = 200, jitter = false)
        @Fallback(to = Gpt35.class)
        String invoke(String prompt);
    }

    public static class Gpt4 extends FakeModel implements Llm {
        public Gpt4() {
            super("gpt-4");
        }
    }

    public static class Gpt35 extends FakeModel implements Llm {
        public Gpt35() {
            super("gpt-3.5");
        }
    }
}
