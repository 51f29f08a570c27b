package dev.rebound.runtime.internal.chain;

import static dev.rebound.runtime.ReboundEvent.Kind.ATTEMPT_FAILED;
import static dev.rebound.runtime.ReboundEvent.Kind.RESULT_REJECTED;
import static dev.rebound.runtime.ReboundEvent.Kind.RETRIES_EXHAUSTED;
import static dev.rebound.runtime.ReboundEvent.Kind.RETRY_SCHEDULED;

import dev.rebound.runtime.AttemptTimeoutException;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.RejectedResultException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.Leftovers;
import dev.rebound.runtime.internal.RetryBudget;
import dev.rebound.runtime.internal.RetryBudgets;
import dev.rebound.runtime.internal.ServerVerdict;
import dev.rebound.runtime.spi.ResilientMethod;

/**
 * The one retry rule of a target: after a failed attempt, stop (and why) or wait (how long, and
 * why). Checks, in order: interrupt, a refusal, the failure's kind, the attempts, a refusal the chain
 * below foresees (an open breaker), a server's Retry-After, the deadline, the budget. Shared by the blocking {@link RetryStrategy}, which sleeps
 * the wait, and an asynchronous variant, which would schedule it.
 */
final class RetryRule {

    private final RetryPolicy policy;
    /** The deadline in nanoseconds from the target's start, or 0 for none (292 years is none). */
    private final long maxDuration;
    private final TargetBudget budget;
    private final Events events;

    RetryRule(RetryPolicy policy, String budgetScope, Events events) {
        this.policy = policy;
        this.maxDuration = policy.hasDeadline() && policy.maxDurationNanos() != Long.MAX_VALUE
                ? policy.maxDurationNanos() : 0L;
        this.budget = new TargetBudget(policy, budgetScope);
        this.events = events;
    }

    /** Counts a call (a first attempt of the primary) in the retry budget, if there is one, now. */
    void countCall(ReboundSettings s) {
        RetryBudget b = budget.of(s);
        if (b != null) {
            b.recordCall(s.timeSource().nanoTime());
        }
    }

    /**
     * Counts {@code call}, which has just reached this rule's target (an alternative), in the target's
     * budget, unless that budget has counted it already: a budget counts a call once, whichever of its
     * targets the call reaches. The primary's ({@code primary}) counted it when it started.
     */
    void countReached(Execution call, RetryRule primary) {
        RetryBudget b = budget.of(call.settings);
        if (b != null && b != primary.budget.of(call.settings) && call.firstCountIn(b)) {
            b.recordCall(call.time.nanoTime());
        }
    }

    /** Whether the policy has an attempt timeout, which needs what is left of maxDuration per attempt. */
    boolean timed() {
        return policy.attemptTimeoutNanos() > 0L;
    }

    /**
     * What is left of the deadline for an attempt starting now, in nanoseconds; Long.MAX_VALUE when
     * there is no deadline.
     */
    long left(Execution call, long origin) {
        return maxDuration == 0L ? Long.MAX_VALUE : maxDuration - Math.max(0L, Clock.read(call.time) - origin);
    }

    /** Where the deadline runs from: the call's start on the primary, the switch on an alternative. */
    long origin(Execution call) {
        long origin = maxDuration == 0L ? 0L
                : call.onPrimary && call.start != ResilientMethod.UNTIMED ? call.start : Clock.read(call.time);
        call.deadlineOrigin = origin; // for the strategies below (the rate limit's wait may not pass it)
        call.maxDuration = maxDuration;
        return origin;
    }

    /**
     * After attempt {@code attempt} failed with {@code f}: the wait before the next attempt, or -1
     * when this target is done. Reports the failure and the decision. {@code below} is the chain
     * under the retry, asked whether the next attempt would be refused anyway.
     */
    long afterFailure(Execution call, Throwable f, int attempt, long origin, Strategy below) {
        boolean refused = call.refusedHere(f);
        if (f instanceof RejectedResultException) {
            events.emit(call, RESULT_REJECTED, call.target, null, attempt, 0L, Reason.RESULT_REJECTED, f);
        } else if (!refused) {
            events.emit(call, ATTEMPT_FAILED, call.target, null, attempt, 0L,
                    f instanceof AttemptTimeoutException ? Reason.TIMEOUT : null, f);
        }
        ServerVerdict verdict = ServerVerdict.find(f);
        long hint = hintOf(verdict, call.async ? Leftovers.takeHintAfter(call.hintsAfter) : Leftovers.takeHint());
        Reason stop = stop(call.async, f, refused, attempt, verdict, below);
        if (stop == Reason.INTERRUPTED) {
            call.interrupted = true;
        }
        long wait = 0L;
        Reason why = Reason.BACKOFF;
        if (stop == null) {
            long backoff = policy.waitNanos(attempt, call.settings.random());
            wait = withHint(backoff, hint);
            if (wait < 0L) {
                stop = Reason.RETRY_AFTER_EXCEEDS_MAX_DELAY;
            } else {
                if (wait != backoff) {
                    why = Reason.RETRY_AFTER;
                }
                stop = limit(call, wait, origin);
            }
        }
        if (stop != null) {
            events.emit(call, RETRIES_EXHAUSTED, call.target, null, attempt, 0L, stop, f);
            call.trace.retriesStopped(stop.wire());
            return -1L;
        }
        events.emit(call, RETRY_SCHEDULED, call.target, null, attempt + 1, wait, why, f);
        call.trace.retryScheduled(wait, why.wire());
        return wait;
    }

    /** What {@link #quietAfterFailure} returns when the thread was interrupted: nothing more is tried. */
    static final long INTERRUPTED = -2L;

    /**
     * {@link #afterFailure} for a target without a deadline, a budget or a strategy below that may refuse
     * ({@link QuietLoop}'s), in a synchronous call with settings {@code s} that no listener and no tracer
     * observes: the same decision, from the same reads in the same order, with nothing reported. The
     * wait; -1 when this target is done; {@link #INTERRUPTED} when the call is.
     */
    long quietAfterFailure(ReboundSettings s, Throwable f, int attempt) {
        ServerVerdict verdict = ServerVerdict.find(f);
        long hint = hintOf(verdict, Leftovers.takeHint());
        Reason stop = stop(false, f, false, attempt, verdict, Invocation.INSTANCE); // no breaker, no rate limit
        if (stop != null) {
            return stop == Reason.INTERRUPTED ? INTERRUPTED : -1L;
        }
        return withHint(policy.waitNanos(attempt, s.random()), hint);
    }


    /**
     * The server's wait: the verdict's, else {@code threadHint}, the hint taken off the thread (taken
     * either way, so it never outlives the attempt; an asynchronous attempt's only if suggested after it
     * began: {@link Leftovers#takeHintAfter}).
     */
    private static long hintOf(ServerVerdict verdict, long threadHint) {
        return verdict != null ? verdict.waitNanos() : threadHint;
    }

    /**
     * Why attempt {@code attempt}'s failure ends this target before any wait is chosen, or null: an
     * interrupt (of the thread, unless the call is asynchronous), a refusal, the failure's kind or the
     * server's verdict, the attempts, then a refusal the chain below foresees (the breaker this very failure
     * opened: the retries ended for it only when a retry was still allowed).
     */
    private Reason stop(boolean async, Throwable f, boolean refused, int attempt, ServerVerdict verdict,
            Strategy below) {
        if (f instanceof InterruptedException || !async && Thread.currentThread().isInterrupted()) {
            return Reason.INTERRUPTED;
        }
        if (refused) {
            return f instanceof RateLimitRefusedException ? Reason.RATE_LIMITED : Reason.CIRCUIT_OPEN;
        }
        Reason stop = RetryClassifier.refusal(policy, f, verdict);
        if (stop == null && attempt >= policy.attempts()) {
            stop = Reason.ATTEMPTS;
        }
        if (stop == null) {
            // e.g. the breaker this failure just opened: don't wait to be refused. Asked last: a failure not
            // to be retried, or the last attempt's, ended the retries whatever the breaker did
            stop = below.refusal();
        }
        return stop;
    }

    /**
     * The wait before the next attempt: the backoff's, or the server's hint when longer; -1 when the
     * hint is longer than maxDelay (the server won't take a request sooner than we agreed to wait:
     * don't spend an attempt).
     */
    private long withHint(long backoff, long hint) {
        if (hint > policy.maxDelayNanos()) {
            return -1L;
        }
        return hint > backoff ? hint : backoff;
    }

    /** The deadline, then the budget: whether waiting {@code wait} and retrying is still allowed. */
    private Reason limit(Execution call, long wait, long origin) {
        if (maxDuration != 0L) {
            long elapsed = Math.max(0L, Clock.read(call.time) - origin);
            if (elapsed >= maxDuration || wait > maxDuration - elapsed) {
                return Reason.DEADLINE;
            }
        }
        RetryBudget b = budget.of(call.settings);
        if (b == null) {
            return null;
        }
        long receipt = b.withdraw(call.time.nanoTime());
        if (receipt == RetryBudget.REFUSED) {
            return Reason.BUDGET;
        }
        call.paidTo = b; // given back if the attempt it pays for is not made (settle, giveBack)
        call.paidReceipt = receipt;
        return null;
    }

    /**
     * After the attempt a retry paid for ended with {@code f} (null: it answered): the retry is given back
     * to the budget when the attempt was not made, refused by the call's own breaker or rate limit; kept
     * otherwise. Either way the call owes the budget nothing more.
     */
    static void settle(Execution call, Throwable f) {
        RetryBudget b = call.paidTo;
        if (b != null) {
            call.paidTo = null;
            if (f != null && call.refusedHere(f)) {
                b.giveBack(call.paidReceipt);
            }
        }
    }

    /** The retry paid for an attempt that will not be made (its wait interrupted, its call cancelled): given back. */
    static void giveBack(Execution call) {
        RetryBudget b = call.paidTo;
        if (b != null) {
            call.paidTo = null;
            b.giveBack(call.paidReceipt);
        }
    }

    /** The retry budget of this target under the settings last seen (the global ones may change). */
    private static final class TargetBudget {
        private final RetryPolicy policy;
        private final String scope;
        private volatile Object[] bound = {null, null};

        TargetBudget(RetryPolicy policy, String scope) {
            this.policy = policy;
            this.scope = scope;
        }

        RetryBudget of(ReboundSettings s) {
            if (!policy.hasBudget()) {
                return null;
            }
            Object[] b = bound;
            if (b[0] != s) {
                b = new Object[] {s, RetryBudgets.of(s, policy, scope)};
                bound = b;
            }
            return (RetryBudget) b[1];
        }
    }
}
