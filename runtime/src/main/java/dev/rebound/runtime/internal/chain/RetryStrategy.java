package dev.rebound.runtime.internal.chain;

import static dev.rebound.runtime.ReboundEvent.Kind.INTERRUPTED;

import dev.rebound.runtime.RetryPolicy;

/**
 * The attempts on one target (the primary, or one alternative): runs the next strategy until it
 * succeeds or the {@link RetryRule} says stop, sleeping the wait it chose between attempts. Records
 * every failure in the call's history and throws the target's last one.
 */
final class RetryStrategy implements Strategy {

    private final RetryRule rule;
    private final Events events;
    private final Strategy next;
    /** Whether the policy has an attempt timeout, which needs what is left of maxDuration per attempt. */
    private final boolean timed;

    RetryStrategy(RetryPolicy policy, String budgetScope, Events events, Strategy next) {
        this.rule = new RetryRule(policy, budgetScope, events);
        this.events = events;
        this.next = next;
        this.timed = rule.timed();
    }

    RetryRule rule() {
        return rule;
    }

    @Override
    public Object apply(Execution call) throws Throwable {
        Throwable f = call.onPrimary ? call.takePending() : null; // the door's failed attempt 1
        if (f == null && call.onPrimary) {
            rule.countCall(call.settings);
        }
        long origin = rule.origin(call);
        for (int attempt = 1; ; attempt++) {
            call.attempt = attempt;
            if (f == null) {
                if (timed) {
                    call.attemptLimit = rule.left(call, origin);
                }
                try {
                    return next.apply(call);
                } catch (Throwable t) {
                    f = t;
                }
            }
            call.history.record(f);
            long wait = rule.afterFailure(call, f, attempt, origin, next);
            if (wait < 0L || !pause(call, wait, attempt + 1, f)) {
                throw f;
            }
            f = null;
        }
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
}
