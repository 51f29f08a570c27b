package dev.rebound.runtime.observation;

/**
 * The trace of one call, told by the engine what happens in the order it happens. Carries names,
 * numbers and class names only: never an argument, a result, an exception message or a key.
 *
 * <p>The order for one target: {@link #attemptStarted}, then {@link #attemptSucceeded}, or
 * {@link #attemptFailed} (or {@link #attemptRefused}) followed by one decision, {@link #retryScheduled} or {@link #retriesStopped};
 * between targets {@link #fallback}; last {@link #ended}, which also closes whatever is still open.
 *
 * <p>A synchronous call's trace ({@link CallTracer#start}) is told all of it on the calling thread. An
 * asynchronous call's ({@link CallTracer#startAsync}: a CompletionStage or streaming method) is told
 * each step after the one before, on whichever thread the call goes on (the caller's, the one that
 * completed an attempt's future, a scheduler's): it must leave nothing current on any thread, but
 * for the scope {@link #attemptCurrent} returns.
 */
public interface CallTrace {

    /** Records nothing; what a tracer returns when nobody traces. */
    CallTrace NOOP = new CallTrace() {
    };

    /**
     * Opens attempt number {@code attempt} (1-based) on {@code target}; in a synchronous call, makes it
     * the current observation of the calling thread until the attempt ends, so that what the attempt
     * does (a langchain4j request, its HTTP span) nests under it.
     */
    default void attemptStarted(String target, int attempt) {
    }

    /**
     * In an asynchronous call: makes the attempt just started current on the calling thread until the
     * returned scope is closed, so that a client that reads the current context when it is called (as
     * OpenTelemetry's instrumentation of asynchronous HTTP clients does) nests its spans under the
     * attempt. The engine opens it around the target's call, up to the future or stream it returns,
     * and closes it on the same thread. Not asked in a synchronous call, where {@link #attemptStarted}
     * makes the attempt current until it ends.
     */
    default Scope attemptCurrent() {
        return Scope.NONE;
    }

    /** The attempt answered: it ends. */
    default void attemptSucceeded() {
    }

    /**
     * The attempt failed: it stops being current, and stays open for the decision that follows.
     */
    default void attemptFailed(Throwable failure) {
    }

    /**
     * The call's own circuit breaker or rate limit refused the attempt (nothing was sent; the same
     * exception thrown by a resilient call the target made is a failure, {@link #attemptFailed}): as
     * {@link #attemptFailed}, which it calls by default.
     */
    default void attemptRefused(Throwable refusal) {
        attemptFailed(refusal);
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

    /**
     * What {@link #attemptCurrent} returns: closing it, on the thread that opened it, makes the attempt
     * stop being current there.
     */
    @FunctionalInterface
    interface Scope extends AutoCloseable {

        /** A scope that changed nothing. */
        Scope NONE = () -> {
        };

        @Override
        void close();
    }
}
