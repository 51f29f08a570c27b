package dev.rebound.runtime.internal.chain;

import static dev.rebound.runtime.ReboundEvent.Kind.ATTEMPT_FAILED;
import static dev.rebound.runtime.ReboundEvent.Kind.INTERRUPTED;
import static dev.rebound.runtime.ReboundEvent.Kind.RESULT_REJECTED;
import static dev.rebound.runtime.ReboundEvent.Kind.RETRIES_EXHAUSTED;
import static dev.rebound.runtime.ReboundEvent.Kind.RETRY_SCHEDULED;

import dev.rebound.runtime.AttemptTimeoutException;
import dev.rebound.runtime.CircuitBreakerOpenException;
import dev.rebound.runtime.RejectedResultException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.RetryBudget;
import dev.rebound.runtime.internal.RetryBudgets;
import dev.rebound.runtime.internal.ServerVerdict;
import dev.rebound.runtime.spi.ResilientMethod;

/**
 * The attempts on one target (the primary, or one alternative): runs the next strategy until it
 * succeeds or {@link #afterFailure} says stop, waiting between attempts. Records every failure in
 * the call's history and throws the target's last one.
 */
final class RetryStrategy implements Strategy {

    private final RetryPolicy policy;
    /** The deadline in nanoseconds from the target's start, or 0 for none (292 years is none). */
    private final long maxDuration;
    private final TargetBudget budget;
    private final Events events;
    private final Strategy next;
    /** Whether the policy has an attempt timeout, which needs what is left of maxDuration per attempt. */
    private final boolean timed;

    RetryStrategy(RetryPolicy policy, String budgetScope, Events events, Strategy next) {
        this.policy = policy;
        this.maxDuration = policy.hasDeadline() && policy.maxDurationNanos() != Long.MAX_VALUE
                ? policy.maxDurationNanos() : 0L;
        this.budget = new TargetBudget(policy, budgetScope);
        this.events = events;
        this.next = next;
        this.timed = policy.attemptTimeoutNanos() > 0L;
    }

    RetryPolicy policy() {
        return policy;
    }

    /** Counts a call (a first attempt of the primary) in the retry budget, if there is one. */
    void countCall(ReboundSettings s) {
        RetryBudget b = budget.of(s);
        if (b != null) {
            b.recordCall();
        }
    }

    @Override
    public Object apply(Execution call) throws Throwable {
        Throwable f = call.onPrimary ? call.takePending() : null;
        if (f == null && call.onPrimary) {
            countCall(call.settings);
        }
        // the deadline runs from the call's start on the primary, from the switch on an alternative
        long origin = maxDuration == 0L ? 0L
                : call.onPrimary && call.start != ResilientMethod.UNTIMED ? call.start
                        : Clock.read(call.time);
        for (int attempt = 1; ; attempt++) {
            call.attempt = attempt;
            if (f == null) {
                if (timed) {
                    call.attemptLimit = maxDuration == 0L ? Long.MAX_VALUE
                            : maxDuration - Math.max(0L, Clock.read(call.time) - origin);
                }
                try {
                    return next.apply(call);
                } catch (Throwable t) {
                    f = t;
                }
            }
            call.history.record(f);
            long wait = afterFailure(call, f, attempt, origin);
            if (wait < 0L || !pause(call, wait, attempt + 1, f)) {
                throw f;
            }
            f = null;
        }
    }

    /**
     * After attempt {@code attempt} failed with {@code f}: the wait before the next attempt, or -1
     * when this target is done. Reports the failure and the decision. The one retry rule: a blocking
     * loop sleeps the wait, an asynchronous one would schedule it.
     */
    long afterFailure(Execution call, Throwable f, int attempt, long origin) {
        ReboundSettings s = call.settings;
        boolean refused = f instanceof CircuitBreakerOpenException;
        if (f instanceof RejectedResultException) {
            events.emit(s, RESULT_REJECTED, call.target, null, attempt, 0L, Reason.RESULT_REJECTED, f);
        } else if (!refused) {
            events.emit(s, ATTEMPT_FAILED, call.target, null, attempt, 0L,
                    f instanceof AttemptTimeoutException ? Reason.TIMEOUT : null, f);
        }
        // the failure's own verdict (read by the HTTP client from its response) belongs to this
        // attempt; a hint suggested on the thread is taken either way, so it never outlives it
        ServerVerdict verdict = ServerVerdict.find(f);
        long threadHint = RetryAfter.takeNanos();
        long hint = verdict != null ? verdict.waitNanos() : threadHint;
        Reason stop = null;
        if (f instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
            stop = Reason.INTERRUPTED;
            call.interrupted = true;
        } else if (refused) {
            stop = Reason.CIRCUIT_OPEN;
        } else {
            stop = next.refusal(); // e.g. the breaker this failure just opened: don't wait to be refused
            if (stop == null) {
                stop = RetryClassifier.refusal(policy, f, verdict);
            }
            if (stop == null && attempt >= policy.attempts()) {
                stop = Reason.ATTEMPTS;
            }
        }
        long wait = 0L;
        Reason why = Reason.BACKOFF;
        if (stop == null) {
            wait = policy.waitNanos(attempt, s.random());
            if (hint > policy.maxDelayNanos()) {
                // the server won't take a request sooner than we agreed to wait: don't spend an attempt
                stop = Reason.RETRY_AFTER_EXCEEDS_MAX_DELAY;
            } else if (hint > wait) {
                wait = hint;
                why = Reason.RETRY_AFTER;
            }
            if (stop == null) {
                stop = limit(call, wait, origin);
            }
        }
        if (stop != null) {
            events.emit(s, RETRIES_EXHAUSTED, call.target, null, attempt, 0L, stop, f);
            return -1L;
        }
        events.emit(s, RETRY_SCHEDULED, call.target, null, attempt + 1, wait, why, f);
        return wait;
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
        return b == null || b.tryWithdraw(call.time.nanoTime()) ? null : Reason.BUDGET;
    }

    /** Waits {@code nanos}; false when interrupted (the flag is set again and reported). */
    private boolean pause(Execution call, long nanos, int nextAttempt, Throwable f) {
        try {
            if (nanos > 0L) {
                call.time.sleep(nanos);
            } else if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.interrupted = true;
            events.emit(call.settings, INTERRUPTED, call.target, null, nextAttempt, 0L, Reason.INTERRUPTED, f);
            return false;
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
