package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundSettings;
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
 *
 * <p>Once it is done, by Rebound or by the caller, it keeps its outcome only: the call's arguments,
 * the first attempt's future and the call state are forgotten ({@link #forget}), so a caller that
 * keeps finished futures (a cache of answers) keeps no prompt and no failure met on the way.
 */
class AsyncCall extends CompletableFuture<Object> implements BiConsumer<Object, Throwable> {

    /** The door's first attempt, still running when the call was returned; or null (and once done). */
    private volatile CompletableFuture<?> first;
    /** The call through the chain, once the first attempt has failed (or was not run inline); null once done. */
    private volatile Execution call;

    // what the chain needs if the door's first attempt fails (null/unused when the chain ran it; null once
    // done: volatile, so an outcome read as not done yet was read with them, see accept)
    private final AsyncExecutor executor;
    private volatile Object context;
    private volatile Object[] args;
    private volatile Invoker primary;
    private final long start;
    /** The settings the call runs on from its start to its end. */
    private final ReboundSettings settings;
    /** The closed phase of the method's breaker the first attempt runs under (its permit); null without one. */
    private final Object permit;
    /**
     * The door's first attempt's mark ({@link dev.rebound.runtime.internal.Leftovers#mark}); 0 when the
     * chain runs it. An int, with no flag beside it, so that this future stays 64 bytes
     * ({@code HappyPathAllocationTest}).
     */
    final int hintsAfter;

    /** A call whose attempts all run in the chain. */
    AsyncCall() {
        this(null, null, null, null, null, null, 0L, null, 0);
    }

    /**
     * A call whose first attempt {@code first} the door started, {@code hintsAfter} being the mark taken
     * as it started; its outcome comes to {@link #accept} when it was still pending as the call returned.
     */
    AsyncCall(CompletableFuture<?> first, AsyncExecutor executor, ReboundSettings settings, Object context,
            Object[] args, Invoker primary, long start, Object permit, int hintsAfter) {
        this.first = first;
        this.hintsAfter = hintsAfter;
        this.executor = executor;
        this.settings = settings;
        this.context = context;
        this.args = args;
        this.primary = primary;
        this.start = start;
        this.permit = permit;
    }

    /**
     * The future of a call an enclosing call made on this method's wrapper as its alternative
     * ({@link dev.rebound.runtime.internal.NestedCalls}): its class says so, so that no field is added.
     */
    static final class Nested extends AsyncCall {
        Nested() {
        }

        Nested(CompletableFuture<?> first, AsyncExecutor executor, ReboundSettings settings, Object context,
                Object[] args, Invoker primary, long start, Object permit, int hintsAfter) {
            super(first, executor, settings, context, args, primary, start, permit, hintsAfter);
        }
    }

    /** Whether the call is one an enclosing call made on this method's wrapper as its alternative. */
    final boolean nested() {
        return this instanceof Nested;
    }

    void runs(Execution e) {
        call = e;
        e.resultIs(this);
        if (isDone()) {
            e.cancel();
        }
    }

    /**
     * The door's first attempt, pending when the call returned, ended: done, or on through the chain, off
     * its caller's stack. What the chain needs is read before {@code firstAttemptEnded} asks whether this
     * future is done: when it is not, the fields were read before any {@link #forget}.
     */
    @Override
    public void accept(Object value, Throwable failure) {
        Object c = context;
        Object[] a = args;
        Invoker p = primary;
        executor.firstAttemptEnded(this, settings, value, failure, c, a, p, start, false, permit);
    }

    /** Rebound's own answer: the call ended with {@code value}. */
    void answer(Object value) {
        super.complete(value);
        forget();
    }

    /**
     * Rebound's own ending: the call failed with {@code failure}; false when the caller had ended it
     * already. Either way the call is over: what it kept is forgotten.
     */
    boolean fail(Throwable failure) {
        boolean failed = super.completeExceptionally(failure);
        forget();
        return failed;
    }

    /**
     * The call is over: this future keeps its outcome, nothing of the call (its arguments, the first
     * attempt's future and outcome, the call state with its failures). Called on every ending, the
     * chain's included: an ending that raced {@link #runs} is followed by the chain's own end.
     */
    private void forget() {
        first = null;
        call = null;
        context = null;
        args = null;
        primary = null;
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
            CompletableFuture<?> f = first;
            if (f != null) {
                f.cancel(mayInterruptIfRunning);
            }
            Execution e = call;
            if (e != null) {
                e.cancel();
            }
            forget();
        }
        return ended;
    }
}
