package dev.rebound.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The practical floor: the try/catch loop one would write by hand, with the same configuration as
 * every contender (3 attempts, exponential backoff from zero with equal jitter, one fallback).
 */
final class HandLoop {

    static final int ATTEMPTS = 3;
    static final long INITIAL_DELAY_NANOS = 0L;

    private HandLoop() {
    }

    static String chat(Model primary, Model fallback, String prompt) {
        for (int attempt = 1; ; attempt++) {
            try {
                return primary.chat(prompt);
            } catch (RuntimeException e) {
                if (attempt == ATTEMPTS) {
                    break;
                }
                long wait = INITIAL_DELAY_NANOS << (attempt - 1);
                if (wait > 0) {
                    long half = wait / 2;
                    LockSupport.parkNanos(half + ThreadLocalRandom.current().nextLong(wait - half + 1));
                }
            }
        }
        return fallback.chat(prompt);
    }
}
