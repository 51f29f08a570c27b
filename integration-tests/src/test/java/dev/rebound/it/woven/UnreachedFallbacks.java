package dev.rebound.it.woven;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.plain.SuperCallingBackup;
import dev.rebound.it.plain.UnreachedQuotes;
import dev.rebound.it.plain.WovenDefaultBackup;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Woven primaries whose fallback class javac alone compiled. */
public final class UnreachedFallbacks {

    /** Every call: who made it. */
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();

    private UnreachedFallbacks() {
    }

    /** Always down: its 2 attempts fail, then {@link UnreachedQuotes.Backup} answers. */
    public static class DownQuotes implements UnreachedQuotes.Quotes {
        @Override
        public String quote(String symbol) {
            throw new IllegalStateException("primary down");
        }
    }

    /**
     * Woven here, with a default method carrying a policy: a class javac compiled that does not override it
     * ({@link WovenDefaultBackup}) runs this woven body, whose advice must take the engine's mark.
     */
    public interface Answers {
        String attempt(String prompt);

        @Retry(attempts = 2, delay = 0, jitter = false)
        @Fallback(to = WovenDefaultBackup.class)
        default String answer(String prompt) {
            return attempt(prompt);
        }
    }

    /** Always down: overrides the default, woven as a class. */
    public static class DownAnswers implements Answers {
        @Override
        public String attempt(String prompt) {
            throw new IllegalStateException("unused");
        }

        @Override
        public String answer(String prompt) {
            CALLS.add("primary");
            throw new IllegalStateException("primary down");
        }
    }

    /**
     * The same shape, whose fallback class javac compiled overrides the woven default and calls it with
     * {@code super} ({@link SuperCallingBackup}): that body's advice must take the engine's mark.
     */
    public interface SuperAnswers {
        String attempt(String prompt);

        @Retry(attempts = 2, delay = 0, jitter = false)
        @Fallback(to = SuperCallingBackup.class)
        default String answer(String prompt) {
            return attempt(prompt);
        }
    }

    /** Always down: overrides the default, woven as a class. */
    public static class DownSuperAnswers implements SuperAnswers {
        @Override
        public String attempt(String prompt) {
            throw new IllegalStateException("unused");
        }

        @Override
        public String answer(String prompt) {
            CALLS.add("primary");
            throw new IllegalStateException("primary down");
        }
    }
}
