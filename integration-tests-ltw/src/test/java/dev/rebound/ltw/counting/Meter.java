package dev.rebound.ltw.counting;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/**
 * An annotated interface; its implementations, compiled by javac alone, get its policy from the agent alone.
 * Their bodies allocate nothing ({@code AllocationUnderTheAgentTest}).
 */
public interface Meter {

    @Retry(attempts = 3)
    @Fallback(to = Backup.class)
    String read(String unit);

    /** The primary: answers with its argument. */
    class Gauge implements Meter {
        @Override
        public String read(String unit) {
            return unit;
        }
    }

    /** The alternative. */
    class Backup implements Meter {
        @Override
        public String read(String unit) {
            return "";
        }
    }
}
