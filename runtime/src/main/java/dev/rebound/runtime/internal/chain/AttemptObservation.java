package dev.rebound.runtime.internal.chain;

import java.util.concurrent.CompletableFuture;

import dev.rebound.runtime.observation.CallTrace;

/**
 * One attempt in the call's trace: opens it (current on this thread while the attempt runs, so the
 * HTTP client's spans nest under it; asynchronously, while its target is called), then records how it
 * ended. Sits just inside the retry, around the circuit breaker, so that an attempt the breaker refuses
 * is traced as a refused attempt; the retry's decision that follows (the wait and its reason, or why
 * it stops) closes it.
 */
final class AttemptObservation implements Strategy {

    private final Strategy next;

    AttemptObservation(Strategy next) {
        this.next = next;
    }

    @Override
    public Object apply(Execution call) throws Throwable {
        CallTrace trace = call.trace;
        trace.attemptStarted(call.target, call.attempt);
        Object result;
        try {
            result = next.apply(call);
        } catch (Throwable t) {
            result = call.failed(t);
        }
        if (result == Execution.FAILED) {
            failed(call, trace, call.failure);
        } else {
            trace.attemptSucceeded();
        }
        return result;
    }

    /**
     * As {@link #apply}; the attempt is current only while its target is called (up to the future or
     * stream it returns), on this thread, where its scope is closed: its outcome may be told on
     * another thread, before or after.
     */
    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        CallTrace trace = call.trace;
        trace.attemptStarted(call.target, call.attempt);
        CompletableFuture<Object> attempt;
        try (CallTrace.Scope ignored = trace.attemptCurrent()) {
            attempt = next.applyAsync(call);
        }
        CompletableFuture<Object> out = new CompletableFuture<>();
        attempt.whenComplete((result, t) -> {
            if (t == null) {
                trace.attemptSucceeded();
                out.complete(result);
            } else {
                Throwable f = Async.failure(t);
                failed(call, trace, f);
                out.completeExceptionally(f);
            }
        });
        return out;
    }

    /** A refusal of the chain's own below (its breaker's, its rate limit's), else a failure of the attempt. */
    private static void failed(Execution call, CallTrace trace, Throwable f) {
        if (call.refusedHere(f)) {
            trace.attemptRefused(f);
        } else {
            trace.attemptFailed(f);
        }
    }

    @Override
    public Reason refusal() {
        return next.refusal();
    }
}
