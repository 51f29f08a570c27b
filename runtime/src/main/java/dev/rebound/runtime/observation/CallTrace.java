package dev.rebound.runtime.observation;

/**
 * The trace of one call, told by the engine what happens in the order it happens, on the calling
 * thread. Carries names, numbers and class names only: never an argument, a result, an exception
 * message or a key.
 *
 * <p>The order for one target: {@link #attemptStarted}, then {@link #attemptSucceeded}, or
 * {@link #attemptFailed} followed by one decision, {@link #retryScheduled} or {@link #retriesStopped};
 * between targets {@link #fallback}; last {@link #ended}, which also closes whatever is still open.
 */
public interface CallTrace {

    /** Records nothing; what a tracer returns when nobody traces. */
    CallTrace NOOP = new CallTrace() {
    };

    /**
     * Opens attempt number {@code attempt} (1-based) on {@code target} and makes it the current
     * observation of the calling thread until the attempt ends, so that what the attempt does (a
     * langchain4j request, its HTTP span) nests under it.
     */
    default void attemptStarted(String target, int attempt) {
    }

    /** The attempt answered: it ends. */
    default void attemptSucceeded() {
    }

    /**
     * The attempt failed, or a circuit breaker refused it: it stops being current, and stays open
     * for the decision that follows.
     */
    default void attemptFailed(Throwable failure) {
    }

    /**
     * The failed attempt is retried after {@code waitNanos}, for {@code reason} ({@code backoff} or
     * {@code retry-after}): the attempt records both and ends.
     */
    default void retryScheduled(long waitNanos, String reason) {
    }

    /**
     * No more attempts on this target, for {@code reason} (as {@code attempts}, {@code not-retryable},
     * {@code deadline}, {@code budget}, {@code circuit-open}): the attempt records it and ends.
     */
    default void retriesStopped(String reason) {
    }

    /** The call switches from {@code from} to the alternative {@code to}; its attempts nest under the switch. */
    default void fallback(String from, String to) {
    }

    /**
     * The call ends with {@code outcome} ({@code success}, {@code success_after_retry},
     * {@code fallback} or {@code failure}); {@code failure} is what the caller gets, or null.
     */
    default void ended(String outcome, Throwable failure) {
    }
}
