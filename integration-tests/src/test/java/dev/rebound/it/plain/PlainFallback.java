package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/**
 * Path (c)'s shape compiled by javac alone, for what Guice's interception allocates: a primary whose three attempts
 * fail, then an alternative that answers, each constructed and intercepted by the injector.
 */
public final class PlainFallback {

    /** The primary's failure: allocated once, without a stack trace, as a benchmark's. */
    public static final RuntimeException DOWN = new RuntimeException("down", null, false, false) { };

    private PlainFallback() {
    }

    /** The policy: three attempts, then {@link Backup}. */
    public interface Asks {
        @Retry(attempts = 3, delay = 0)
        @Fallback(to = Backup.class)
        String ask(String prompt);
    }

    /** The primary: always fails. */
    public static class Down implements Asks {
        @Override
        public String ask(String prompt) {
            throw DOWN;
        }
    }

    /** The alternative: answers the prompt. */
    public static class Backup implements Asks {
        @Override
        public String ask(String prompt) {
            return prompt;
        }
    }
}
