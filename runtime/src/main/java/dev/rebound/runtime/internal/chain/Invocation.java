package dev.rebound.runtime.internal.chain;

import java.util.concurrent.CompletableFuture;

/** The bottom of the chain: one attempt on the current target. */
enum Invocation implements Strategy {
    INSTANCE;

    @Override
    public Object apply(Execution call) throws Throwable {
        return call.invoker.invoke(call.instance, call.targetArgs);
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
