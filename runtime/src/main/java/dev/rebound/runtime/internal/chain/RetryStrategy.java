package dev.rebound.runtime.internal.chain;

import static dev.rebound.runtime.ReboundEvent.Kind.INTERRUPTED;
import static dev.rebound.runtime.ReboundEvent.Kind.RETRIES_EXHAUSTED;

import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.internal.Leftovers;
import java.util.concurrent.CompletableFuture;

/**
 * The attempts on one target (the primary, or one alternative): runs the next strategy until it
 * succeeds or the {@link RetryRule} says stop, sleeping the wait it chose between attempts. Records
 * every failure in the call's history and fails with the target's last one.
 */
final class RetryStrategy implements Strategy {

    private final RetryRule rule;
    private final Events events;
    private final Strategy next;
    /** Whether the policy has an attempt timeout, which needs what is left of maxDuration per attempt. */
    private final boolean timed;

    /** The primary's rule, for an alternative's (whose budget counts a call the primary's has not); else null. */
    private final RetryRule primary;

    /** The primary's retry. */
    RetryStrategy(RetryPolicy policy, String budgetScope, Events events, Strategy next) {
        this(policy, budgetScope, events, next, null);
    }

    /** An alternative's retry, {@code primary} being the primary's. */
    RetryStrategy(RetryPolicy policy, String budgetScope, Events events, Strategy next, RetryStrategy primary) {
        this.rule = new RetryRule(policy, budgetScope, events);
        this.events = events;
        this.next = next;
        this.timed = rule.timed();
        this.primary = primary == null ? null : primary.rule;
    }

    RetryRule rule() {
        return rule;
    }

    /**
     * The door's failed first attempt, if it ran one (else null, and the call is counted in the
     * budget): taken once, by the primary's retry. An alternative's counts the call in its budget.
     */
    private Throwable begin(Execution call) {
        if (!call.onPrimary) {
            if (primary != null) {
                rule.countReached(call, primary);
            }
            return null;
        }
        Throwable f = call.takePending();
        if (f == null) {
            rule.countCall(call.settings);
        }
        return f;
    }

    @Override
    public Object apply(Execution call) throws Throwable {
        Throwable f = begin(call);
        long origin = rule.origin(call);
        for (int attempt = 1; ; attempt++) {
            call.attempt = attempt;
            if (f == null) {
                if (timed) {
                    call.attemptLimit = rule.left(call, origin);
                }
                Object result;
                try {
                    result = next.apply(call);
                } catch (Throwable t) {
                    result = call.failed(t);
                }
                if (attempt > 1) {
                    RetryRule.settle(call, result == Execution.FAILED ? call.failure : null);
                }
                if (result != Execution.FAILED) {
                    return result;
                }
                f = call.failure;
            }
            call.history.record(f);
            boolean again;
            try {
                long wait = rule.afterFailure(call, f, attempt, origin, next);
                again = wait >= 0L && pause(call, wait, attempt + 1, f);
            } catch (Throwable t) {
                RetryRule.giveBack(call); // a listener's Error or a sleep that threw: the retry paid for is not made
                throw t;
            }
            if (!again) {
                RetryRule.giveBack(call); // an interrupted wait's retry (none is paid for when the rule stops)
                return call.failed(f);
            }
            f = null;
        }
    }

    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        Throwable f = begin(call);
        long origin = rule.origin(call);
        CompletableFuture<Object> out = new CompletableFuture<>();
        if (f != null) {
            call.attempt = 1;
            failedAsync(call, f, 1, origin, out);
        } else {
            attemptAsync(call, 1, origin, out);
        }
        return out;
    }

    /**
     * Runs attempt {@code attempt}, unless the call was cancelled meanwhile. What another call left on
     * this thread (a pool's, a timer's) is forgotten first, and the attempt's mark taken: its failure is
     * judged only with what was left during it, on whatever thread it completes.
     */
    private void attemptAsync(Execution call, int attempt, long origin, CompletableFuture<Object> out) {
        if (call.cancelled()) {
            RetryRule.giveBack(call); // the retry paid for this attempt, which is not made
            out.completeExceptionally(call.history.isEmpty() ? Async.cancelled() : call.history.last());
            return;
        }
        call.attempt = attempt;
        if (timed) {
            call.attemptLimit = rule.left(call, origin);
        }
        call.hintsAfter = Leftovers.attemptStarted();
        CompletableFuture<Object> running;
        try {
            running = next.applyAsync(call);
        } catch (Throwable t) {
            running = CompletableFuture.failedFuture(t); // a listener's Error below (a breaker's transition): as apply
        }
        running.whenComplete((result, t) -> {
            if (attempt > 1) {
                RetryRule.settle(call, t == null ? null : Async.failure(t));
            }
            if (t == null) {
                out.complete(result);
            } else {
                failedAsync(call, Async.failure(t), attempt, origin, out);
            }
        });
    }

    /**
     * The one retry rule, then the wait scheduled (never slept) before the next attempt. A listener's
     * Error ends the target's attempts with it, as it leaves {@link #apply}.
     */
    private void failedAsync(Execution call, Throwable f, int attempt, long origin, CompletableFuture<Object> out) {
        call.history.record(f);
        if (call.cancelled()) {
            Leftovers.forget(); // what the completion nobody awaits left on its thread is nobody's
            out.completeExceptionally(f); // the caller cancelled: no event for the attempt it cancelled
            return;
        }
        try {
            if (attempt == 1 && call.onPrimary && call.firstAttemptOf != null) {
                call.firstAttemptOf.firstAttemptFailed(!call.returned); // as a door's failed first attempt is
            }
            long wait = rule.afterFailure(call, f, attempt, origin, next);
            if (wait < 0L) {
                out.completeExceptionally(f);
                return;
            }
            call.waitThen(wait, () -> attemptAsync(call, attempt + 1, origin, out));
        } catch (Throwable listenerError) {
            RetryRule.giveBack(call); // or a schedule that threw: the retry paid for is not made
            out.completeExceptionally(listenerError);
        }
    }

    /**
     * Waits {@code nanos}; false when interrupted (the flag is set again and reported: the interrupt, then
     * the retries stopped by it, as when the rule finds the flag set before choosing a wait).
     */
    private boolean pause(Execution call, long nanos, int nextAttempt, Throwable f) {
        if (waited(call.time, nanos)) {
            return true;
        }
        call.interrupted = true;
        events.emit(call, INTERRUPTED, call.target, null, nextAttempt, 0L, Reason.INTERRUPTED, f);
        events.emit(call, RETRIES_EXHAUSTED, call.target, null, nextAttempt - 1, 0L, Reason.INTERRUPTED, f);
        return false;
    }

    /**
     * Sleeps {@code nanos} on {@code time} (a zero wait only checks the interrupt flag); false when
     * interrupted, the flag set again. Anything else the sleep throws goes up: in every loop (the chain,
     * {@link QuietLoop}, a door's own through {@code MethodExecutor.retryNow}) it ends the target's
     * attempts as their last failure, the failures before it suppressed on it, and the call goes on to
     * its fallbacks as after any last failure (not after an Error). The chain gives back the retry it
     * paid for; the other loops hold none (they run only for policies without a budget:
     * {@code QuietLoop.plain}).
     */
    static boolean waited(TimeSource time, long nanos) {
        try {
            if (nanos > 0L) {
                time.sleep(nanos);
            } else if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
