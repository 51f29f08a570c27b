package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.AttemptTimeoutException;
import dev.rebound.runtime.internal.AttemptTimer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * Just above {@link Invocation} (inside the breaker): interrupts an attempt that runs past its
 * timeout, {@code min(attemptTimeout, what is left of maxDuration)} (the retry puts the second in
 * {@link Execution#attemptLimit}), and turns what it then throws into an {@link AttemptTimeoutException},
 * a transient failure. The interrupt it sent is taken back before the failure goes up; an attempt
 * that answers just as the timer fires keeps its answer.
 *
 * <p>Asynchronously ({@code CompletionStage} methods; for a stream, the time to its first token) the
 * timer ({@link AttemptTimer#startAsync}, on the call's {@link dev.rebound.runtime.TimeSource#schedule})
 * starts with the attempt too, before the target's call: when it fires during that call (a target that
 * streams on its caller's thread, or blocks before returning its future) the attempt is given up on (a
 * stream's tokens from then on reach nobody) and the thread interrupted, as a synchronous attempt's, and
 * the attempt fails with the {@link AttemptTimeoutException} when the call returns; when it fires after
 * the call returned a pending future, that future is cancelled and the attempt fails with it at once. An
 * attempt that completes first cancels the timer; one that gets its outcome just as the timer cancels it,
 * during the call or after it, keeps that outcome ({@link Watch#givenUp}).
 */
final class TimeoutStrategy implements Strategy {

    private final String method;
    private final long timeoutNanos;
    private final Strategy next;

    TimeoutStrategy(String method, long timeoutNanos, Strategy next) {
        this.method = method;
        this.timeoutNanos = timeoutNanos;
        this.next = next;
    }

    @Override
    public Object apply(Execution call) throws Throwable {
        long limit = Math.min(timeoutNanos, call.attemptLimit);
        AttemptTimer timer = AttemptTimer.start(call.time, Math.max(0L, limit));
        Object result;
        try {
            result = next.apply(call);
        } catch (Throwable t) {
            result = call.failed(t);
        }
        if (result == Execution.FAILED) {
            Throwable t = call.failure;
            int ended = timer.finish();
            // an attempt that ended on an interrupt it heard before the timer's (a caller's cancel, the
            // flag consumed by the InterruptedException) ended on that interrupt, not on its timeout; an
            // Error is never a timeout's doing and passes as itself (never retried, never a fallback's)
            if (!(t instanceof Error) && (ended == AttemptTimer.TIMED_OUT
                    || ended == AttemptTimer.TIMED_OUT_UNHEARD && !(t instanceof InterruptedException))) {
                return call.failed(new AttemptTimeoutException(method, Duration.ofNanos(limit), t));
            }
            return call.failed(t);
        }
        timer.finish();
        return result;
    }

    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        long limit = Math.max(0L, Math.min(timeoutNanos, call.attemptLimit));
        // timed from the attempt's start: a target may stream on this thread, or block before returning its future
        Watch watch = new Watch(method, limit, call);
        AttemptTimer timer = AttemptTimer.startAsync(call.time, limit, watch);
        CompletableFuture<Object> attempt;
        try {
            attempt = next.applyAsync(call);
        } catch (Throwable t) {
            attempt = CompletableFuture.failedFuture(t); // never, by contract; the watch must end all the same
        }
        if (attempt.isDone()) {
            int ended = timer.finish();
            return ended == AttemptTimer.IN_TIME ? watch.ended(attempt) : watch.timedOutDuringCall(attempt, ended);
        }
        CompletableFuture<Object> out = new CompletableFuture<>();
        watch.follow(attempt, out);
        int ended = timer.callReturned();
        if (ended != AttemptTimer.IN_TIME) {
            return watch.timedOutDuringCall(attempt, ended);
        }
        attempt.whenComplete((result, t) -> {
            if (timer.cancel()) { // else the timer came first: its afterCall gives out the attempt's outcome
                watch.ended(null);
                Watch.pass(result, t, out);
            }
        });
        return out;
    }

    /**
     * One asynchronous attempt's watch. During the target's call ({@link #duringCall}, on the timer's
     * thread) it gives up the attempt it can see: a stream's first token, put in flight before the call
     * ({@link StreamingInvocation}), is cancelled, which abandons the stream (its late tokens reach nobody);
     * the timer then interrupts the call's thread, as a synchronous attempt's. After a call that returned
     * its future pending ({@link #afterCall}), the future is cancelled and the attempt fails with the
     * {@link AttemptTimeoutException}.
     *
     * <p>What it holds is let go of when the attempt ends: a clock that holds a cancelled timer until its
     * time (java.util.Timer, a timing wheel, VirtualTimeSource) then holds nothing of the attempt (its
     * future, its failure, the call's prompt).
     */
    private static final class Watch implements AttemptTimer.Expiry {
        private final String method;
        private final long limit;
        private volatile Execution call;
        /** The attempt in flight before this one's call: the one in flight during it, if another, is this one's. */
        private volatile CompletableFuture<?> before;
        private volatile CompletableFuture<Object> attempt;
        private volatile CompletableFuture<Object> out;
        /** Whether {@link #duringCall} cancelled the attempt's future (its CancellationException is then the timeout's). */
        private volatile boolean gaveUp;

        Watch(String method, long limit, Execution call) {
            this.method = method;
            this.limit = limit;
            this.call = call;
            this.before = call.inFlight();
        }

        void follow(CompletableFuture<Object> attempt, CompletableFuture<Object> out) {
            this.attempt = attempt;
            this.out = out;
            this.call = null;
            this.before = null;
        }

        @Override
        public boolean duringCall() {
            Execution c = call;
            CompletableFuture<?> a = c == null ? null : c.inFlight();
            if (a == null || a == before) {
                return true; // nothing of the attempt's in flight yet: the interrupt alone stops its call
            }
            if (a.isDone()) {
                return false; // the stream had its first token (or failed) in time: that stands
            }
            gaveUp = a.cancel(true); // a stream before its first token: abandoned
            return gaveUp; // else it had its outcome just now: that stands
        }

        /**
         * The time came after the call returned its future pending: given up on as {@link #givenUp} says
         * (a future that has its outcome just as it is cancelled keeps it), that outcome passed to the
         * caller's future. The attempt's own completion passes nothing then ({@link AttemptTimer#cancel}
         * lost to this timer).
         */
        @Override
        public void afterCall() {
            CompletableFuture<Object> o = out;
            CompletableFuture<Object> a = attempt;
            ended(null);
            if (o != null && a != null) {
                givenUp(a, AttemptTimer.TIMED_OUT).whenComplete((result, t) -> pass(result, t, o));
            }
        }

        /** The time came during the target's call, which has returned {@code a}: {@link #givenUp}. */
        CompletableFuture<Object> timedOutDuringCall(CompletableFuture<Object> a, int ended) {
            ended(null);
            return givenUp(a, ended);
        }

        /**
         * The attempt's outcome once its time came ({@code ended}: {@link AttemptTimer#TIMED_OUT} or
         * {@link AttemptTimer#TIMED_OUT_UNHEARD}): a future still pending is cancelled and the attempt fails
         * with the {@link AttemptTimeoutException}, unless the cancel loses (the outcome came just as it was
         * cancelled: a stream's first token, which the handler already has, a future's answer). An outcome
         * there is judged as a synchronous attempt's: an answer stands, an {@link Error} passes as itself,
         * and a failure is the {@link AttemptTimeoutException} with it as cause (unless it is an interrupt
         * the call heard before the timer's). One way for a time that came during the call or after it.
         */
        private CompletableFuture<Object> givenUp(CompletableFuture<Object> a, int ended) {
            Duration timeout = Duration.ofNanos(limit);
            if (!a.isDone() && a.cancel(true)) {
                return CompletableFuture.failedFuture(new AttemptTimeoutException(method, timeout, null));
            }
            Throwable t;
            try {
                a.join();
                return a;
            } catch (CancellationException c) {
                t = c;
            } catch (CompletionException c) {
                t = Async.failure(c);
            }
            if (!(t instanceof Error) && (ended == AttemptTimer.TIMED_OUT
                    || ended == AttemptTimer.TIMED_OUT_UNHEARD && !(t instanceof InterruptedException))) {
                return CompletableFuture.failedFuture(new AttemptTimeoutException(method, timeout,
                        gaveUp && t instanceof CancellationException ? null : t));
            }
            return a;
        }

        /** Passes an attempt's outcome to the caller's future {@code out}. */
        static void pass(Object result, Throwable t, CompletableFuture<Object> out) {
            if (t == null) {
                out.complete(result);
            } else {
                out.completeExceptionally(Async.failure(t));
            }
        }

        /** The attempt ended: nothing of it stays with the timer; returns {@code a}. */
        CompletableFuture<Object> ended(CompletableFuture<Object> a) {
            call = null;
            before = null;
            attempt = null;
            out = null;
            return a;
        }
    }

    @Override
    public Reason refusal() {
        return next.refusal();
    }
}
