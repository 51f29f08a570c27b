package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;
import dev.rebound.runtime.FallbackContext;
import dev.rebound.runtime.FallbackHandler;

/**
 * The "fallback without retry" mistake with a handler instead of alternatives, for the Guice door: compiled
 * by javac alone, so that the injector, not an aspect, resolves its policy.
 */
public interface HandledWithoutRetry {

    @Fallback(to = {}, handler = Canned.class)
    String invoke(String prompt);

    /** The primary the injector makes. */
    class Primary implements HandledWithoutRetry {
        @Override
        public String invoke(String prompt) {
            return "primary: " + prompt;
        }
    }

    /** Answers every failure with a canned text. */
    final class Canned implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) {
            return "canned";
        }
    }
}
