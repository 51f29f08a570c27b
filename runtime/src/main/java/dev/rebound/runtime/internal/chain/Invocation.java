package dev.rebound.runtime.internal.chain;

import java.util.concurrent.CompletableFuture;

/**
 * The bottom of the chain: one attempt on the current target. The one place a synchronous attempt's
 * exception is caught: it goes up the chain as a value ({@link Execution#FAILED}).
 */
enum Invocation implements Strategy {
    INSTANCE;

    @Override
    public Object apply(Execution call) {
        try {
            return call.invoker.invoke(call.instance, call.targetArgs);
        } catch (Throwable t) {
            return call.failed(t);
        }
    }

    /** The target's own future (the attempt in flight, which cancelling the call cancels). */
    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        Object stage;
        try {
            stage = call.invoker.invoke(call.instance, call.targetArgs);
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
        return call.inFlight(Async.future(stage, call.target));
    }
}
