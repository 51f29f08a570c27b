package dev.rebound.runtime;

import dev.rebound.runtime.internal.Leftovers;
import dev.rebound.runtime.internal.ServerVerdict;
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
 * thread closes that race; a wait carried by the failure itself ({@link Carrier}) has no such limit, and
 * is what Rebound's langchain4j integration ({@code RetryAfterHttpClientBuilder}) attaches.
 */
public final class RetryAfter {

    private RetryAfter() {
    }

    /**
     * A failure that carries the server's suggested wait for the attempt that failed with it: the way for
     * a client of your own, asynchronous ones above all, to hand the engine a {@code Retry-After}, as
     * Rebound's langchain4j integration hands a response's. Implement it on the exception your client
     * throws or fails its future with. The wait belongs to that failure and to nothing else: it is taken
     * wherever and whenever the engine handles the failure (on the thread that called the client when a
     * fast pool had failed the future already), and nothing is left on any thread, so {@link #suggest} and
     * {@link #clear} are not needed.
     *
     * <p>The engine looks for a carrier on the failure and then along its causes (a library that wraps your
     * exception, as langchain4j wraps an HTTP client's), 16 levels deep as {@code @Retry.on} looks. The
     * first carrier found states the wait, none included: a hint suggested on the thread is then not used.
     * What a response said below it about retrying (an exhausted quota, {@code x-should-retry}, as
     * Rebound's langchain4j integration attaches) still applies. The wait is what a suggested wait is (above): the next wait is at least this long,
     * never past maxDuration, and a wait longer than maxDelay ends the target's retries (reason
     * {@code retry-after-exceeds-max-delay}).
     *
     * <p>{@link #retryAfter} is called once per failed attempt, on the thread the failure is handled on,
     * and must not block; when it throws, the failure carries no wait and is otherwise judged, and reaches
     * the caller, as it is (a {@link VirtualMachineError} goes up).
     */
    public interface Carrier {

        /**
         * No suggested wait: what {@link #retryAfter} returns for a failure whose response said nothing
         * (null, zero and negative waits count as none too). {@link Duration#ZERO}.
         */
        Duration NONE = ServerVerdict.carrierClassesExist(); // set when any class implementing this one is first initialized

        /** The server's suggested wait for the attempt that failed with this, or {@link #NONE}. */
        Duration retryAfter();

        /**
         * {@link #retryAfter} in nanoseconds, what the engine reads: 0 for none (null, zero or negative), a
         * wait too long for a {@code long} of nanoseconds as {@link Long#MAX_VALUE}. Need not be overridden.
         * It is also what makes the engine look for carriers among a failure's causes: an interface with a
         * default method is initialized with the first class that implements it (JLS 12.4.1), before any
         * such failure exists.
         */
        default long retryAfterNanos() {
            Duration wait = retryAfter();
            if (wait == null || wait.isNegative()) {
                return 0L;
            }
            try {
                return wait.toNanos();
            } catch (ArithmeticException tooLong) {
                return Long.MAX_VALUE;
            }
        }
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
