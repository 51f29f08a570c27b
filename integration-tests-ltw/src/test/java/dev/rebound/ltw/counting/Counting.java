package dev.rebound.ltw.counting;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/**
 * Counters compiled by javac alone, whose bodies allocate nothing: what a call through them allocates is the
 * advice the agent wove into them ({@code AllocationUnderTheAgentTest}). The interface carries no policy.
 */
public interface Counting {

    long next();

    long retried();

    long retriedOrSpare();

    /** Carries policies of its own: the agent weaves it, every public method included. */
    class Tally implements Counting {
        /** Thrown again and again: allocates nothing. */
        private static final IllegalStateException DOWN = new IllegalStateException("down");

        private long count;
        private int attempts;

        /** Carries no annotation, advised all the same: its class carries a policy. */
        @Override
        public long next() {
            return ++count;
        }

        @Override
        @Retry(attempts = 3)
        public long retried() {
            return ++count;
        }

        @Override
        @Retry(attempts = 3)
        @Fallback(to = Spare.class)
        public long retriedOrSpare() {
            return ++count;
        }

        /** Each call's first attempt fails, its retry answers. */
        @Retry(attempts = 3, delay = 0)
        public long retriedAfterAFailure() {
            if ((attempts++ & 1) == 0) {
                throw DOWN;
            }
            return ++count;
        }
    }

    /** {@link Tally}'s alternative; no policy, so not woven. */
    class Spare implements Counting {
        @Override
        public long next() {
            return -1;
        }

        @Override
        public long retried() {
            return -1;
        }

        @Override
        public long retriedOrSpare() {
            return -1;
        }
    }
}
