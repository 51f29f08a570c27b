package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.spi.ResilientMethod;

/**
 * Clock readings as {@link System#nanoTime()} defines them: their origin is arbitrary (0, negative,
 * anything), so two readings are only ever compared through their difference, and
 * {@link ResilientMethod#UNTIMED} means "no reading".
 */
final class Clock {

    private Clock() {
    }

    /** A reading of {@code time}, never {@link ResilientMethod#UNTIMED}. */
    static long read(TimeSource time) {
        long t = time.nanoTime();
        return t == ResilientMethod.UNTIMED ? t + 1 : t;
    }

    /** The nanoseconds from {@code start} to now, never negative; -1 when {@code start} is UNTIMED. */
    static long since(long start, TimeSource time) {
        return start == ResilientMethod.UNTIMED ? -1L : Math.max(0L, read(time) - start);
    }
}
