package dev.rebound.runtime.spi;

/**
 * The resolved, immutable policy of one method on one implementation: what the doors (the aspect,
 * the Guice interceptor, {@code Rebound.wrap}) call. Resolved once; shared by every call and
 * thread.
 */
public interface ResilientMethod {

    /** The method, as {@code ChatClient.chat(String)}. */
    String name();

    /**
     * Runs the call under this policy and returns its result, or throws the failure the caller
     * should see (the primary's last, with the rest of the history suppressed on it).
     */
    Object execute(Object context, Object[] args, Invoker primary) throws Throwable;

    /**
     * Whether the engine must run the first attempt itself: a circuit breaker must admit it, a retry
     * budget must count it. When true, a door calls {@link #execute} for every call and never runs
     * the first attempt itself ({@link #recover} would bypass the breaker). Constant for a method:
     * ask it once, when the door resolves the policy.
     */
    default boolean runsFirstAttempt() {
        return false;
    }

    /**
     * Whether a door that runs the first attempt itself must tell the engine when it started
     * (a deadline is set or a listener times calls). When false, {@link #recover} accepts 0.
     */
    boolean needsStartTime();

    /** The engine's clock reading, for doors that run the first attempt themselves. */
    long now();

    /**
     * For doors that ran the first attempt themselves: continue after it failed with
     * {@code failure}; {@code startNanos} is when it started (see {@link #needsStartTime()}).
     */
    Object recover(Throwable failure, long startNanos, Object context, Object[] args, Invoker primary)
            throws Throwable;

    /** For doors that ran the first attempt themselves: it succeeded. */
    void succeeded(long startNanos);
}
