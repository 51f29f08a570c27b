package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.spi.Invoker;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The future an asynchronous call returns. Cancelling it cancels the attempt in flight (the target's
 * future) and any scheduled wait, and no further attempt starts; the call's history still ends as
 * the synchronous path's would (the FAILED event, reason {@code cancelled}). Any other completion
 * that Rebound did not make ({@code orTimeout}, {@code completeOnTimeout}, {@code complete},
 * {@code completeAsync}, {@code completeExceptionally}, {@code obtrude...}) stops the call the same
 * way: the caller has its outcome.
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
        if (isDone()) {
            e.cancel();
        }
    }

    /** The door's first attempt ended: done, or on through the chain. */
    @Override
    public void accept(Object value, Throwable failure) {
        executor.firstAttemptEnded(this, value, failure, context, args, primary, start, failedOnCallersStack);
    }

    /** Rebound's own answer: the call ended with {@code value}. */
    void answer(Object value) {
        super.complete(value);
    }

    /** Rebound's own ending: the call failed with {@code failure}; false when the caller had ended it already. */
    boolean fail(Throwable failure) {
        return super.completeExceptionally(failure);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return stopsTheCall(super.cancel(mayInterruptIfRunning), mayInterruptIfRunning);
    }

    /** Someone else's answer (the caller's, {@code completeOnTimeout}'s): the call stops, as a cancel stops it. */
    @Override
    public boolean complete(Object value) {
        return stopsTheCall(super.complete(value), true);
    }

    /** Someone else's failure (the caller's, {@code orTimeout}'s): the call stops, as a cancel stops it. */
    @Override
    public boolean completeExceptionally(Throwable failure) {
        return stopsTheCall(super.completeExceptionally(failure), true);
    }

    /** Someone else's answer, later (the JDK's own would bypass {@link #complete}): it stops the call when it comes. */
    @Override
    public CompletableFuture<Object> completeAsync(Supplier<?> supplier, Executor executor) {
        Objects.requireNonNull(supplier, "supplier");
        Objects.requireNonNull(executor, "executor");
        executor.execute(() -> {
            if (isDone()) {
                return;
            }
            Object value;
            try {
                value = supplier.get();
            } catch (Throwable t) {
                completeExceptionally(t);
                return;
            }
            complete(value);
        });
        return this;
    }

    @Override
    public void obtrudeValue(Object value) {
        boolean ended = !isDone();
        super.obtrudeValue(value);
        stopsTheCall(ended, true);
    }

    @Override
    public void obtrudeException(Throwable failure) {
        boolean ended = !isDone();
        super.obtrudeException(failure);
        stopsTheCall(ended, true);
    }

    /**
     * When {@code ended} (this future was ended now, not by Rebound): cancels the attempt in flight and
     * any pending wait, and no further attempt starts ({@link Execution#cancelled}).
     */
    private boolean stopsTheCall(boolean ended, boolean mayInterruptIfRunning) {
        if (ended) {
            if (first != null) {
                first.cancel(mayInterruptIfRunning);
            }
            Execution e = call;
            if (e != null) {
                e.cancel();
            }
        }
        return ended;
    }
}
