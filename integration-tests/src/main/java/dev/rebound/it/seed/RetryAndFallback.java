package dev.rebound.it.seed;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;

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

    public static class Gpt4 implements Llm {
        @Override
        public String invoke(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }
    }

    public static class Gpt35 implements Llm {
        @Override
        public String invoke(String prompt) {
            return FakeLlm.complete("gpt-3.5", prompt);
        }
    }
}
