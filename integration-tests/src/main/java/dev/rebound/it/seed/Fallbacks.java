package dev.rebound.it.seed;

import dev.rebound.annotations.Fallback;
import dev.rebound.it.llm.FakeModel;

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

    public static class Gpt4 extends FakeModel implements TwoModels {
        public Gpt4() {
            super("gpt-4");
        }
    }

    public static class Gpt35Turbo extends FakeModel implements TwoModels {
        public Gpt35Turbo() {
            super("gpt-3.5-turbo");
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

        public static class Gpt4 extends FakeModel implements ThreeModels {
            public Gpt4() {
                super("gpt-4");
            }
        }

        public static class Gpt35Turbo extends FakeModel implements ThreeModels {
            public Gpt35Turbo() {
                super("gpt-3.5-turbo");
            }
        }

        public static class Gpt35Turbo16k extends FakeModel implements ThreeModels {
            public Gpt35Turbo16k() {
                super("gpt-3.5-turbo-16k");
            }
        }
    }
}
