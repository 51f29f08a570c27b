package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import jakarta.inject.Inject;

/**
 * Unwoven classes (compiled by javac alone) Guice can construct but not subclass, so cannot intercept:
 * ReboundModule refuses their policies in its own words, not Guice's.
 */
public final class GuiceCannotSubclass {

    private GuiceCannotSubclass() {
    }

    /** Final, as a Lombok {@code @Value} or a record is. */
    public static final class FinalChat {
        @Retry(attempts = 3)
        public String chat(String prompt) {
            return prompt;
        }
    }

    /** Sealed: only {@link PermittedChat} may extend it. */
    public static sealed class SealedChat permits PermittedChat {
        @Retry(attempts = 3)
        public String chat(String prompt) {
            return prompt;
        }
    }

    /** Permitted by {@link SealedChat}, and open again: Guice subclasses it. */
    public static non-sealed class PermittedChat extends SealedChat {
    }

    /** Its {@code @Inject} constructor is private: Guice alone calls it, its subclass could not. */
    public static class PrivatelyInjectedChat {
        @Inject
        private PrivatelyInjectedChat() {
        }

        @Retry(attempts = 3)
        public String chat(String prompt) {
            return prompt;
        }

        @Retry(attempts = 2)
        public String summarize(String text) {
            return text;
        }
    }

    /** A private nested class: its default constructor is private too. */
    public static Class<?> privateNested() {
        return PrivateChat.class;
    }

    private static class PrivateChat {
        @Retry(attempts = 3)
        public String chat(String prompt) {
            return prompt;
        }
    }
}
