package dev.rebound.runtime;

import dev.rebound.runtime.internal.Leftovers;
import java.time.Duration;

/**
 * A server's suggested wait (HTTP {@code Retry-After} and the like), handed from a client of your own
 * to the engine retrying the call, on the calling thread. The next wait is at least this long, never
 * past maxDuration. A suggested wait longer than maxDelay ends the retries of that target (reason
 * {@code retry-after-exceeds-max-delay}): the call goes to its fallbacks instead of spending an
 * attempt on a request the server has said it will refuse.
 *
 * <p>A hint belongs to the attempt that received it. Rebound's own langchain4j integration
 * ({@code RetryAfterHttpClientBuilder}) no longer uses this class: it attaches what a response said to
 * the failure itself, which the engine prefers. A client of your own calls {@link #suggest} right
 * before it throws the failure the hint explains; an asynchronous client, right before it fails the
 * attempt's future, on the thread that fails it, and calls {@link #clear} when that completion is
 * refused ({@code completeExceptionally} returned false: the attempt was cancelled, and the JDK drops
 * a late completion without telling anyone). The engine takes the hint with the next failure it
 * handles on this thread (and ignores it if that failure carries its own), forgets any hint when a
 * Rebound call or an asynchronous call's attempt starts on the thread, when a call through the chain
 * ends, and when it ignores a failure because its call was stopped: a call takes only what was
 * suggested during its own attempts. A hint suggested outside any Rebound call (an unwrapped
 * client's failure you catch yourself) is never taken by the thread's next call; {@link #clear}
 * forgets it sooner.
 */
public final class RetryAfter {

    /**
     * Each thread's hint. Until any thread suggested one (or handed off a verdict: {@link Leftovers},
     * one flag for both) there is nothing to take or clear, and every failed attempt (and every
     * successful response of an integration) skips the thread-local.
     */
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
        Leftovers.left();
        HINT.get()[0] = nanos;
    }

    /** Forgets any hint on this thread. */
    public static void clear() {
        if (Leftovers.ever()) {
            HINT.get()[0] = 0;
        }
    }

    /** The hint recorded on this thread in nanoseconds (0 = none), and forgets it. */
    public static long takeNanos() {
        if (!Leftovers.ever()) {
            return 0L;
        }
        long[] h = HINT.get();
        long v = h[0];
        h[0] = 0;
        return v;
    }
}
