package dev.rebound.runtime.internal.chain;

/**
 * One concern of the chain (retry, circuit breaker, fallback, ...), wrapped around the next one and
 * built once per method. {@link Chains#executorOf} assembles them in a fixed order; see there for
 * where each strategy sits and where new ones go.
 *
 * <p>A strategy keeps per-call state in locals and in the {@link Execution}, never in fields: one
 * instance serves every call and thread. It returns the call's result or throws the failure that
 * ends its part; every failure an attempt throws is recorded in the execution's history by the
 * retry that saw it.
 */
interface Strategy {

    /** Runs the rest of the chain for {@code call}. */
    Object apply(Execution call) throws Throwable;

    /**
     * Why the next attempt would be refused right now without being tried (a circuit breaker that
     * is open), or null. Asked by the retry before it waits; a strategy that wraps another passes the
     * question on.
     */
    default Reason refusal() {
        return null;
    }
}
