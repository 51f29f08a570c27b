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
     * For doors that run the first attempt themselves, asked just before it: whether they may.
     * False while the method's circuit breaker is not closed (open: the call will be refused;
     * half-open: it may be a probe, which needs the engine's bookkeeping): the door then hands the
     * whole call to {@link #execute} instead. True: the door runs the attempt and reports it through
     * {@link #succeeded} or {@link #recover}; a retry budget has counted the call.
     *
     * <p>Always true for a method without a breaker; with one, closed, it costs one volatile read.
     */
    default boolean admitFirstAttempt() {
        return true;
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
     * {@code failure} (a circuit breaker records it); {@code startNanos} is when it started (see
     * {@link #needsStartTime()}).
     */
    Object recover(Throwable failure, long startNanos, Object context, Object[] args, Invoker primary)
            throws Throwable;

    /**
     * For doors that ran the first attempt themselves: it succeeded. Call it after every such
     * success, with 0 when no start time was taken: a circuit breaker records it.
     */
    void succeeded(long startNanos);
}
