package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.AttemptTimeoutException;
import dev.rebound.runtime.internal.AttemptTimer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Just above {@link Invocation} (inside the breaker): interrupts an attempt that runs past its
 * timeout, {@code min(attemptTimeout, what is left of maxDuration)} (the retry puts the second in
 * {@link Execution#attemptLimit}), and turns what it then throws into an {@link AttemptTimeoutException},
 * a transient failure. The interrupt it sent is taken back before the failure goes up; an attempt
 * that answers just as the timer fires keeps its answer.
 *
 * <p>Asynchronously ({@code CompletionStage} methods; for a stream, the time to its first token) it
 * schedules a timer with the call's {@link dev.rebound.runtime.TimeSource#schedule} instead: when it
 * fires first, the attempt's future is cancelled and the attempt fails with the
 * {@link AttemptTimeoutException}; an attempt that completes first cancels the timer.
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
        CompletableFuture<Object> attempt = next.applyAsync(call);
        if (attempt.isDone()) {
            return attempt;
        }
        CompletableFuture<Object> out = new CompletableFuture<>();
        Watch watch = new Watch(attempt, out);
        Future<?> timer = call.time.schedule(limit, () -> watch.timedOut(method, limit));
        attempt.whenComplete((result, t) -> {
            watch.ended();
            timer.cancel(false);
            if (t == null) {
                out.complete(result);
            } else {
                out.completeExceptionally(Async.failure(t));
            }
        });
        return out;
    }

    /**
     * What an asynchronous attempt's timer needs, let go of when the attempt ends: a clock that holds a
     * cancelled timer until its time (java.util.Timer, a timing wheel, VirtualTimeSource) then holds
     * nothing of the attempt (its future, its failure, the call's prompt).
     */
    private static final class Watch {
        private volatile CompletableFuture<Object> attempt;
        private volatile CompletableFuture<Object> out;

        Watch(CompletableFuture<Object> attempt, CompletableFuture<Object> out) {
            this.attempt = attempt;
            this.out = out;
        }

        void timedOut(String method, long limit) {
            CompletableFuture<Object> o = out;
            CompletableFuture<Object> a = attempt;
            if (o != null && a != null
                    && o.completeExceptionally(new AttemptTimeoutException(method, Duration.ofNanos(limit), null))) {
                a.cancel(true); // the timeout won: the attempt's own outcome no longer matters
            }
        }

        void ended() {
            attempt = null;
            out = null;
        }
    }

    @Override
    public Reason refusal() {
        return next.refusal();
    }
}
