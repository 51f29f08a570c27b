package dev.rebound.it.woven;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/**
 * Misconfigured woven classes: each fails when it is initialised. The annotation processor would
 * reject the first two and the policies on Object's methods at build time; the suppression shows the
 * run-time line of defence.
 */
@SuppressWarnings("rebound")
public final class Misconfigured {

    private Misconfigured() {
    }

    public interface Chat {
        String chat(String prompt);
    }

    public static class AttemptsOutOfRange implements Chat {
        @Override
        @Retry(attempts = 101, maxDelay = 1, delay = 5)
        public String chat(String prompt) {
            return prompt;
        }
    }

    /** The same, on an enum: fails when it is initialised too, not on its first call. */
    public enum AttemptsOutOfRangeTier implements Chat {
        GOLD;

        @Override
        @Retry(attempts = 101)
        public String chat(String prompt) {
            return prompt;
        }
    }

    public static class FallbackToAStranger implements Chat {
        @Override
        @Fallback(to = String.class)
        public String chat(String prompt) {
            return prompt;
        }
    }

    public static class FallbackWithoutNoArgConstructor implements Chat {
        @Override
        @Retry(attempts = 2)
        @Fallback(to = NeedsArgument.class)
        public String chat(String prompt) {
            return prompt;
        }
    }

    /** Its alternative is built for injection, and no injector intercepts it: nothing can make it. */
    public static class FallbackBuiltForInjection implements Chat {
        @Override
        @Retry(attempts = 1)
        @Fallback(to = NeedsInjection.class)
        public String chat(String prompt) {
            throw new IllegalStateException("primary down");
        }
    }

    /** Object's methods redeclared with a policy: no door intercepts them (the processor refuses it too). */
    public interface Described {
        @Retry(attempts = 3, delay = 0)
        String toString();

        String chat(String prompt);
    }

    public static class DescribedImpl implements Described {
        public int calls;

        @Override
        public String toString() {
            calls++;
            return "described";
        }

        @Override
        @Retry(attempts = 2, delay = 0)
        public int hashCode() {
            return 1;
        }

        @Override
        public String chat(String prompt) {
            return prompt;
        }
    }

    public static class NeedsInjection implements Chat {
        private final String name;

        @jakarta.inject.Inject
        public NeedsInjection(String name) {
            this.name = name;
        }

        @Override
        public String chat(String prompt) {
            return name;
        }
    }

    public static class NeedsArgument implements Chat {
        private final String name;

        public NeedsArgument(String name) {
            this.name = name;
        }

        @Override
        public String chat(String prompt) {
            return name;
        }
    }
}
