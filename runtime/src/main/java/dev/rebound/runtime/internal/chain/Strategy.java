package dev.rebound.runtime.internal.chain;

import java.util.concurrent.CompletableFuture;

/**
 * One concern of the chain (retry, circuit breaker, fallback, ...), wrapped around the next one and
 * built once per method. {@link Chains#executorOf} assembles them in a fixed order; see there for
 * where each strategy sits and where new ones go.
 *
 * <p>A strategy keeps per-call state in locals and in the {@link Execution}, never in fields: one
 * instance serves every call and thread. Every failure an attempt throws is recorded in the
 * execution's history by the retry that saw it.
 *
 * <p><b>Failures are values.</b> {@link #apply} returns the call's result, or {@link Execution#FAILED}
 * with the failure that ends its part in {@link Execution#failure}: the invocation at the bottom
 * catches the target's exception once, and no strategy rethrows it, so a failure crosses no
 * strategy's frame as an exception (each crossing would be a handler lookup in the VM). Only the
 * executor at the top throws, once, what the caller gets. A strategy may still throw (a listener's
 * Error, a bug): every caller of {@code apply} treats a throw as it treats {@code FAILED}
 * ({@link Execution#failed}). Each caller writes that {@code try} itself rather than through a
 * shared helper: a call site of its own keeps its own type profile, which lets the JIT inline the
 * next strategy (a helper's one call site would see every strategy).
 */
interface Strategy {

    /**
     * Runs the rest of the chain for {@code call}: its result, or {@link Execution#FAILED} with the
     * failure in {@link Execution#failure}.
     */
    Object apply(Execution call) throws Throwable;

    /**
     * The asynchronous variant of {@link #apply}, for methods whose result is a {@code CompletionStage}
     * (and streams): the same concern, in the same place of the chain, over futures. Returns at once
     * with a future of the rest of the chain's result; never throws, never blocks, never sleeps
     * (waits are {@linkplain dev.rebound.runtime.TimeSource#schedule scheduled}). A failure completes
     * the future exceptionally with the failure itself, never wrapped ({@link Async#failure} unwraps
     * what the JDK wraps). What a continuation throws (a listener's Error) completes the strategy's
     * future with it too: the JDK would keep it in the dependent future of the {@code whenComplete},
     * which nobody reads, and the caller's future would never complete.
     *
     * <p>A strategy without an asynchronous variant fails every asynchronous call loudly, naming
     * itself, rather than letting it run without its concern: implement this when adding a strategy.
     */
    default CompletableFuture<Object> applyAsync(Execution call) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(getClass().getSimpleName()
                + " has no asynchronous variant: " + call.target + " cannot run it on a CompletionStage or a stream"));
    }

    /**
     * Why the next attempt would be refused right now without being tried (a circuit breaker that
     * is open), or null. Asked by the retry before it waits; a strategy that wraps another passes the
     * question on.
     */
    default Reason refusal() {
        return null;
    }
}
