package dev.rebound.runtime;

import java.time.Duration;

/**
 * A server's suggested wait (HTTP {@code Retry-After} and the like), handed from the client that
 * saw it to the engine retrying the call, on the calling thread. The next wait is at least this
 * long, never past maxDuration. A suggested wait longer than maxDelay ends the retries of that target
 * (reason {@code retry-after-exceeds-max-delay}): the call goes to its fallbacks instead of spending an
 * attempt on a request the server has said it will refuse.
 *
 * <p>Integrations call {@link #suggest} when a failed response carries the header and
 * {@link #clear} on a successful response; the engine takes the hint after each failure.
 */
public final class RetryAfter {

    private static final ThreadLocal<long[]> HINT = ThreadLocal.withInitial(() -> new long[1]);

    private RetryAfter() {
    }

    /**
     * Records a suggested wait for the call failing on this thread; a negative one counts as none.
     *
     * @throws NullPointerException if {@code wait} is null
     */
    public static void suggest(Duration wait) {
        java.util.Objects.requireNonNull(wait, "wait");
        long nanos;
        try {
            nanos = wait.isNegative() ? 0 : wait.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE;
        }
        HINT.get()[0] = nanos;
    }

    /** Forgets any hint on this thread. */
    public static void clear() {
        HINT.get()[0] = 0;
    }

    /** The hint recorded on this thread in nanoseconds (0 = none), and forgets it. */
    public static long takeNanos() {
        long[] h = HINT.get();
        long v = h[0];
        h[0] = 0;
        return v;
    }
}
