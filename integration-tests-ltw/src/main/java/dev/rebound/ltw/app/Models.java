package dev.rebound.ltw.app;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.seed.Fallbacks;
import dev.rebound.it.seed.OneModel;
import dev.rebound.it.seed.RetryAndFallback;
import dev.rebound.it.seed.Sequence;

/**
 * The seed examples' primary models again, compiled by javac alone: each implements an annotated
 * interface of rebound-integration-tests (a jar built with ajc), as a team annotates a client library's
 * interface and writes its own implementation. Only the agent gives them a policy.
 */
public final class Models {

    private Models() {
    }

    /** {@link OneModel.Llm}: {@code @Retry(attempts = 3, jitter = true)}. */
    public static class Gpt4 implements OneModel.Llm {
        @Override
        public String invoke(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }
    }

    /** Its own method annotation wins over the interface's. */
    public static class PatientGpt4 implements OneModel.Llm {
        @Override
        @Retry(attempts = 5, delay = 10, jitter = false)
        public String invoke(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }
    }

    /** {@link Sequence.Llm}: {@code @Retry(attempts = 2, delay = 100)}. */
    public static class SequenceGpt4 implements Sequence.Llm {
        @Override
        public String invoke(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }
    }

    /** {@link Fallbacks.ThreeModels}: falls back to gpt-3.5-turbo, then gpt-3.5-turbo-16k. */
    public static class PriorityGpt4 implements Fallbacks.ThreeModels {
        @Override
        public String invoke(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }
    }

    /** {@link RetryAndFallback.Llm}: two attempts, then gpt-3.5 with two attempts. */
    public static class RetryingGpt4 implements RetryAndFallback.Llm {
        @Override
        public String invoke(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }
    }
}
