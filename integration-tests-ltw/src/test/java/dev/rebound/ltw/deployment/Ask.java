package dev.rebound.ltw.deployment;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/**
 * An annotated interface, its primary and its alternative (javac only, woven by the agent), deployed by
 * {@code MisconfigurationTest} without the alternative.
 */
public interface Ask {

    @Retry(attempts = 3, delay = 10, jitter = false)
    @Fallback(to = Backup.class)
    String ask(String prompt);

    /** Always fails. */
    class Primary implements Ask {
        @Override
        public String ask(String prompt) {
            throw new IllegalStateException("down");
        }
    }

    /** The alternative. */
    class Backup implements Ask {
        @Override
        public String ask(String prompt) {
            return "backup: " + prompt;
        }
    }
}
