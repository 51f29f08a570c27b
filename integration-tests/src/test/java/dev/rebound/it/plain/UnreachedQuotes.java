package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.spi.Passthrough;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An annotated contract whose fallback class javac alone compiled: no door reaches an instance of it (not woven,
 * not generated, not a proxy), so the engine calls it without a {@link Passthrough} mark. Its calls record what
 * they see.
 */
public final class UnreachedQuotes {

    /** Each call of the fallback: its argument, and whether a mark was in place on some thread then. */
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();

    private UnreachedQuotes() {
    }

    public interface Quotes {
        @Retry(attempts = 2, delay = 0, jitter = false)
        @Fallback(to = Backup.class)
        String quote(String symbol);
    }

    /** Fails its first call of each pair, answers the second: its own retry (2 attempts) answers each call. */
    public static class Backup implements Quotes {
        private int calls;

        @Override
        public String quote(String symbol) {
            CALLS.add(symbol + (Passthrough.pending() ? " marked" : " unmarked"));
            if ((calls++ & 1) == 0) {
                throw new IllegalStateException("backup busy");
            }
            return "backup " + symbol;
        }
    }
}
