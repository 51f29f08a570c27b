package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/**
 * Misconfigured twice: attempts out of range, and an alternative that is no BrokenChat. The build
 * would reject it; the suppression lets it through to show the injector's own error.
 */
@SuppressWarnings("rebound")
public interface BrokenChat {

    @Retry(attempts = 0)
    @Fallback(to = PlainGpt35.class)
    String chat(String prompt);

    /** Its implementation, for the install() form. */
    class Impl implements BrokenChat {
        @Override
        public String chat(String prompt) {
            return prompt;
        }
    }
}
