package dev.rebound.runtime.internal.chain;

import java.util.concurrent.CompletableFuture;

/**
 * The future an asynchronous call returns. Cancelling it cancels the attempt in flight (the target's
 * future) and any scheduled wait, and no further attempt starts; the call's history still ends as
 * the synchronous path's would (the FAILED event, reason {@code cancelled}).
 */
final class AsyncCall extends CompletableFuture<Object> {

    /** The door's first attempt, still running when the call was returned; or null. */
    private final CompletableFuture<?> first;
    /** The call through the chain, once the first attempt has failed (or was not run inline). */
    private volatile Execution call;

    AsyncCall(CompletableFuture<?> first) {
        this.first = first;
    }

    void runs(Execution e) {
        call = e;
        e.resultIs(this);
        if (isCancelled()) {
            e.cancel();
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            if (first != null) {
                first.cancel(mayInterruptIfRunning);
            }
            Execution e = call;
            if (e != null) {
                e.cancel();
            }
        }
        return cancelled;
    }
}
