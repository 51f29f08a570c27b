package dev.rebound.weaver.internal;

import dev.rebound.runtime.spi.ResilientMethod;

/**
 * The timing of a first attempt that a door runs itself: read the clock only when the policy needs
 * it (a deadline, or a listener timing successes), so the usual success reads no clock at all.
 */
public final class FirstAttempt {

    /** No start time taken: the policy needs none. */
    private static final long UNTIMED = Long.MIN_VALUE;

    private FirstAttempt() {
    }

    /** When the first attempt starts, or a marker meaning "not timed". */
    public static long start(ResilientMethod policy) {
        return policy.needsStartTime() ? policy.now() : UNTIMED;
    }

    /** The first attempt succeeded: always reported, a circuit breaker counts it. */
    public static void succeeded(ResilientMethod policy, long start) {
        policy.succeeded(start == UNTIMED ? 0L : start);
    }

    /** {@code start} as {@link ResilientMethod#recover} takes it (0 = not timed). */
    public static long forRecover(long start) {
        return start == UNTIMED ? 0L : start;
    }
}
