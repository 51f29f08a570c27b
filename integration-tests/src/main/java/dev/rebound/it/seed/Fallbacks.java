package dev.rebound.it.seed;

import dev.rebound.annotations.Fallback;
import dev.rebound.it.llm.FakeLlm;

/**
 * The seed's {@code primary_llm.with_fallbacks([backup_llm])} and its priority-order variant
 * {@code gpt-4 -> gpt-3.5-turbo -> gpt-3.5-turbo-16k}. No retry, as in the seed.
 */
public final class Fallbacks {

    private Fallbacks() {
    }

    public interface TwoModels {
        @Fallback(to = Gpt35Turbo.class)
        String invoke(String prompt);
    }

    public static class Gpt4 implements TwoModels {
        @Override
        public String invoke(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }
    }

    public static class Gpt35Turbo implements TwoModels {
        @Override
        public String invoke(String prompt) {
            return FakeLlm.complete("gpt-3.5-turbo", prompt);
        }
    }

    public interface ThreeModels {
        @Fallback(to = {Priority.Gpt35Turbo.class, Priority.Gpt35Turbo16k.class})
        String invoke(String prompt);
    }

    /** The models of {@link ThreeModels}. */
    public static final class Priority {

        private Priority() {
        }

        public static class Gpt4 implements ThreeModels {
            @Override
            public String invoke(String prompt) {
                return FakeLlm.complete("gpt-4", prompt);
            }
        }

        public static class Gpt35Turbo implements ThreeModels {
            @Override
            public String invoke(String prompt) {
                return FakeLlm.complete("gpt-3.5-turbo", prompt);
            }
        }

        public static class Gpt35Turbo16k implements ThreeModels {
            @Override
            public String invoke(String prompt) {
                return FakeLlm.complete("gpt-3.5-turbo-16k", prompt);
            }
        }
    }
}
