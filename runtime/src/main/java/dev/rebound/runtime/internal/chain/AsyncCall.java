package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.spi.Invoker;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The future an asynchronous call returns. Cancelling it cancels the attempt in flight (the target's
 * future) and any scheduled wait, and no further attempt starts; the call's history still ends as
 * the synchronous path's would (the FAILED event, reason {@code cancelled}).
 *
 * <p>When the door's first attempt is still running as the call returns, this future is also what
 * that attempt's outcome is handed to ({@link #accept}): it keeps what a retry needs, so following
 * the first attempt costs this future and the JDK's subscription to the target's, nothing more.
 */
final class AsyncCall extends CompletableFuture<Object> implements BiConsumer<Object, Throwable> {

    /** The door's first attempt, still running when the call was returned; or null. */
    private final CompletableFuture<?> first;
    /** The call through the chain, once the first attempt has failed (or was not run inline). */
    private volatile Execution call;

    // what the chain needs if the door's first attempt fails (null/unused when the chain ran it)
    private final AsyncExecutor executor;
    private final Object context;
    private final Object[] args;
    private final Invoker primary;
    private final long start;
    /** Whether the first attempt had failed already when the call returned: its caller's stack is here. */
    private final boolean failedOnCallersStack;

    /** A call whose attempts all run in the chain. */
    AsyncCall() {
        this(null, null, null, null, null, 0L);
    }

    /** A call whose first attempt {@code first} the door started; its outcome comes to {@link #accept}. */
    AsyncCall(CompletableFuture<?> first, AsyncExecutor executor, Object context, Object[] args, Invoker primary,
            long start) {
        this.first = first;
        this.executor = executor;
        this.context = context;
        this.args = args;
        this.primary = primary;
        this.start = start;
        this.failedOnCallersStack = first != null && first.isDone();
    }

    void runs(Execution e) {
        call = e;
        e.resultIs(this);
        if (isCancelled()) {
            e.cancel();
        }
    }

    /** The door's first attempt ended: done, or on through the chain. */
    @Override
    public void accept(Object value, Throwable failure) {
        executor.firstAttemptEnded(this, value, failure, context, args, primary, start, failedOnCallersStack);
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
