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
 * suggested during its own attempts. An asynchronous attempt whose future fails on another thread (its
 * client's pool) takes there only a hint suggested after that attempt began. A hint suggested outside
 * any Rebound call (an unwrapped client's failure you catch yourself) is never taken by the thread's
 * next call, nor by an asynchronous attempt that began before it and fails there; {@link #clear}
 * forgets it sooner.
 *
 * <p>A limit for asynchronous clients: the hint is taken on the thread the engine handles the attempt's
 * failure on, which is the thread that fails the future only when the future fails after the engine
 * registered on it (after the client's method returned). A future that had failed by then (a fast pool:
 * a connection refused at once, an answer from a cache) is handled on the thread that called the client,
 * and the hint its pool suggested is not taken there: the attempt waits its backoff. No protocol on the
 * thread closes that race; a wait carried by the failure itself has no such limit, and is what Rebound's
 * langchain4j integration ({@code RetryAfterHttpClientBuilder}) attaches. A client of your own has no
 * public way to attach one to its failures yet.
 */
public final class RetryAfter {

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
        Leftovers.suggest(nanos); // each thread's hint is kept there, with what else is left on a thread
    }

    /** Forgets any hint on this thread. */
    public static void clear() {
        Leftovers.clearHint();
    }

    /** The hint recorded on this thread in nanoseconds (0 = none), and forgets it. */
    public static long takeNanos() {
        return Leftovers.takeHint();
    }
}
