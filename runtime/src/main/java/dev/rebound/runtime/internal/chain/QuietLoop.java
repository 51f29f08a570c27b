package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.Alternative;
import dev.rebound.runtime.internal.FallbackRule;
import dev.rebound.runtime.spi.Invoker;
import java.util.List;

/**
 * The failure path of a method of the common shape, compiled once per method beside its chain: the
 * retries of a failed first attempt and the alternatives, for a synchronous method whose primary and
 * alternatives have at most attempts, backoff, jitter and exception filters (no circuit breaker, rate
 * limit, budget, deadline, attempt timeout, result check or fallback handler), in a call that no
 * listener wants an event of and no tracer traces. It does what {@link FallbackStrategy} over
 * {@link RetryStrategy} over {@link Invocation} does for that shape, with the same rules
 * ({@link RetryRule#quietAfterFailure}, {@link FallbackStrategy#mayFallBack(Execution, FallbackRule, Throwable)},
 * {@link FailureHistory}): the same attempts, waits (backoff, jitter, Retry-After, server verdicts),
 * interrupts, history and caller's exception; only the events nobody wants and the strategies'
 * hand-offs are left out. Anything else is the chain's ({@link MethodExecutor#failed}).
 */
final class QuietLoop {

    private final RetryRule primary;
    private final FallbackRule fallbackRule;
    private final Alternative[] alternatives;
    /** Each alternative's retry rule, by index. */
    private final RetryRule[] rules;

    private QuietLoop(RetryRule primary, FallbackRule fallbackRule, Alternative[] alternatives, RetryRule[] rules) {
        this.primary = primary;
        this.fallbackRule = fallbackRule;
        this.alternatives = alternatives;
        this.rules = rules;
    }

    /**
     * The loop of {@code spec}, whose untraced chain retries the primary with {@code primary} and each
     * alternative with {@code alternativeRetries}; null when the method is not of the common shape.
     */
    static QuietLoop of(MethodSpec spec, RetryStrategy primary, RetryStrategy[] alternativeRetries) {
        if (spec.shape() != CallShape.SYNC || spec.circuitBreaker() != null || spec.rateLimit() != null
                || spec.fallbackHandler() != null || spec.fallbackOnResult() != null || !plain(spec.retry())) {
            return null;
        }
        List<Alternative> alternatives = spec.alternatives();
        RetryRule[] rules = new RetryRule[alternatives.size()];
        for (int i = 0; i < rules.length; i++) {
            Alternative alt = alternatives.get(i);
            if (!plain(alt.retry()) || alt.circuitBreaker() != null || alt.rateLimit() != null) {
                return null;
            }
            rules[i] = alternativeRetries[i].rule();
        }
        return new QuietLoop(primary.rule(), spec.fallbackRule(), alternatives.toArray(new Alternative[0]), rules);
    }

    /** A retry policy of the common shape: nothing but attempts, backoff, jitter and exception filters. */
    private static boolean plain(RetryPolicy p) {
        return !p.hasBudget() && !p.hasDeadline() && p.attemptTimeoutNanos() <= 0L && p.resultPredicate() == null;
    }

    /**
     * The call after the door's failed first attempt {@code failure}, with settings {@code s}, nobody
     * listening: the primary's retries, then the alternatives in order. Returns the first result; else
     * throws what the caller gets (the primary's last failure, unless an alternative's failure ended the
     * call: an Error, or one the fallback rule does not pass on),
     * the call's other failures suppressed on it. While the call's failures are one instance (the usual
     * outage: a client that throws the same exception, or one failure then success) it keeps that
     * instance alone; at a second distinct one it borrows the thread's spare {@link Execution} for its
     * {@link FailureHistory}, and gives it back when the call ends.
     */
    Object run(ReboundSettings s, Throwable failure, Object context, Object[] args, Invoker primaryInvoker)
            throws Throwable {
        return run(s, failure, failure, 1, UNJUDGED, context, args, primaryInvoker);
    }

    /** The primary's retry rule, which a door that retries the primary itself asks per failure. */
    RetryRule primary() {
        return primary;
    }

    /** {@code judged} when the primary's failure handed over has not been judged yet. */
    static final long UNJUDGED = Long.MIN_VALUE;
    /**
     * {@code judged} when judging the primary's failure, or sleeping the wait chosen for it, threw: what
     * it threw being handed over.
     */
    static final long THREW = Long.MIN_VALUE + 1L;

    /**
     * As {@link #run(ReboundSettings, Throwable, Object, Object[], Invoker)}, taking over a call whose
     * door retried the primary itself ({@link MethodExecutor#failedAt}): its failures so far were the one
     * instance {@code first}; attempt {@code attempt} failed with {@code failure}, and {@code judged} is
     * the rule's answer to it ({@link RetryRule#quietAfterFailure}: -1, or {@link RetryRule#INTERRUPTED}
     * with the wait interrupted too), or {@link #UNJUDGED}, or {@link #THREW} ({@code failure} being what
     * the rule or the wait's sleep threw).
     */
    Object run(ReboundSettings s, Throwable first, Throwable failure, int firstAttempt, long judged, Object context,
            Object[] args, Invoker primaryInvoker) throws Throwable {
        Throwable only = first; // the call's failures while they are this one instance (held still null)
        Execution held = null; // the call's history, from its second distinct failure on
        boolean interrupted = false;
        Throwable f = failure;
        RetryRule rule = primary;
        Invoker invoker = primaryInvoker;
        Object instance = context;
        Object[] targetArgs = args;
        try {
            for (int next = 0; ; ) { // the index of the next alternative
                // the attempts on the target, as RetryStrategy
                for (int attempt = firstAttempt; ; attempt++) {
                    if (f == null) {
                        try {
                            return invoker.invoke(instance, targetArgs);
                        } catch (Throwable t) {
                            f = t;
                        }
                    }
                    held = record(held, only, f, next > 0);
                    long wait = judged;
                    judged = UNJUDGED;
                    if (wait == THREW) {
                        break; // f is what the rule (or the wait's sleep) threw after the door's failure: recorded, as below
                    }
                    if (wait == UNJUDGED) {
                        try {
                            wait = rule.quietAfterFailure(s, f, attempt);
                        } catch (Throwable t) {
                            // a rule that threw (a failure's broken getCause): the target's last failure, as in the chain
                            held = record(held, only, t, next > 0);
                            break;
                        }
                    }
                    if (wait == RetryRule.INTERRUPTED) {
                        interrupted = true;
                        break;
                    }
                    if (wait < 0L) {
                        break;
                    }
                    try {
                        if (!RetryStrategy.waited(s.timeSource(), wait)) {
                            interrupted = true;
                            break;
                        }
                    } catch (Throwable t) {
                        // a sleep that threw (a broken TimeSource): the target's last failure, as in the chain
                        held = record(held, only, t, next > 0);
                        break;
                    }
                    f = null;
                }
                if (next == 0 && held != null) {
                    held.history.primaryDone();
                }
                // the next alternative, as FallbackStrategy: each failure, the alternatives' too, judged by its rule
                Alternative alt = null;
                while (alt == null && (next > 0 || alternatives.length > 0)) {
                    Throwable last = held != null ? held.history.last() : only;
                    boolean may;
                    try {
                        may = FallbackStrategy.mayFallBack(interrupted, false, fallbackRule, last); // no breaker, no rate limit
                    } catch (Throwable t) {
                        held = record(held, only, t, true); // as the chain: the call ends with it
                        break;
                    }
                    if (!may) {
                        if (next > 0 && held != null) {
                            // an alternative's failure the rule does not pass on: the caller's, as in the chain
                            FallbackStrategy.stoppedBy(held.history, interrupted);
                        }
                        break;
                    }
                    if (next == alternatives.length) {
                        break;
                    }
                    rule = rules[next];
                    try {
                        instance = alternatives[next].instance();
                        alt = alternatives[next];
                    } catch (Throwable providerFailure) {
                        held = record(held, only, providerFailure, true);
                    }
                    next++;
                }
                if (alt == null) {
                    throw held == null ? only : held.history.thrown();
                }
                invoker = alt;
                targetArgs = primaryInvoker.argumentsInPlace(context, args);
                f = null;
                firstAttempt = 1;
            }
        } finally {
            if (held != null) {
                held.releaseQuiet();
            }
        }
    }

    /**
     * Records {@code f}, a failure of the call whose failures so far are {@code only} or (once
     * {@code held}) in {@code held}'s history; returns the call's state, borrowed now when {@code f} is
     * its second distinct failure ({@code primaryDone}: the primary's attempts are over, their last
     * failure being {@code only}).
     */
    private static Execution record(Execution held, Throwable only, Throwable f, boolean primaryDone) {
        if (held == null) {
            if (f == only) {
                return null;
            }
            held = Execution.borrow();
            held.history.record(only);
            if (primaryDone) {
                held.history.primaryDone();
            }
        }
        held.history.record(f);
        return held;
    }
}
