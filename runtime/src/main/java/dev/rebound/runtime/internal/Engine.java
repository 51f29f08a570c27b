package dev.rebound.runtime.internal;

import dev.rebound.runtime.CircuitBreakerOpenException;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundListener;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.ResilientMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one engine behind every door: Fallback(Retry(CircuitBreaker(call))). The first attempt runs
 * with no allocation; the failure path builds one small {@link Run} per call.
 *
 * <p>The circuit breaker sits inside the retry, on the primary target only: it sees every attempt
 * (so a dead target opens it after a window of attempts, not of calls), an open breaker stops the
 * retry at once (no backoff is waited for an attempt that would be refused), and a half-open probe
 * is a single attempt. A retry budget is asked before each retry, after every other reason to stop.
 */
public final class Engine implements ResilientMethod {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** Returned by {@link #retry} when the attempts of one target ended in failure. */
    private static final Object FAILED = new Object();
    /** The index of the primary among the targets; alternative i is target i + 1. */
    private static final int PRIMARY = 0;

    private final String name;
    private final String primaryName;
    private final RetryPolicy primaryRetry;
    private final FallbackRule fallbackRule;
    private final Alternative[] alternatives;
    /** Null: read {@link ReboundSettings#global()} live. */
    private final ReboundSettings fixedSettings;
    /** The primary's circuit breaker, or null. */
    private final Breaker breaker;
    /** Whose retry budget an unnamed one is (the interface's name). */
    private final String budgetScope;
    /** Whether some target draws on a retry budget. */
    private final boolean budgeted;
    /** Whether the first attempt must go through the breaker or count toward a budget. */
    private final boolean guarded;
    /** The budgets of the targets, bound to the settings last seen (the global ones may change). */
    private volatile BoundBudgets boundBudgets;

    public Engine(String name, String primaryName, RetryPolicy primaryRetry, FallbackRule fallbackRule,
            List<Alternative> alternatives, ReboundSettings fixedSettings) {
        this(name, primaryName, primaryRetry, fallbackRule, alternatives, fixedSettings, null, name);
    }

    /**
     * @param breakerPolicy the primary's circuit breaker, or null for none
     * @param budgetScope the name of the budget an unnamed one is (the interface's name)
     */
    public Engine(String name, String primaryName, RetryPolicy primaryRetry, FallbackRule fallbackRule,
            List<Alternative> alternatives, ReboundSettings fixedSettings, CircuitBreakerPolicy breakerPolicy,
            String budgetScope) {
        this.name = name;
        this.primaryName = primaryName;
        this.primaryRetry = primaryRetry;
        this.fallbackRule = fallbackRule;
        this.alternatives = alternatives.toArray(new Alternative[0]);
        this.fixedSettings = fixedSettings;
        this.breaker = breakerPolicy == null ? null
                : new Breaker(breakerPolicy, name, primaryName, new BreakerEvents());
        this.budgetScope = budgetScope;
        boolean anyBudget = primaryRetry.hasBudget();
        for (Alternative a : this.alternatives) {
            anyBudget |= a.retry().hasBudget();
        }
        this.budgeted = anyBudget;
        this.guarded = breaker != null || budgeted;
    }

    @Override
    public String name() {
        return name;
    }

    public RetryPolicy primaryRetry() {
        return primaryRetry;
    }

    /** The alternatives' names, in order. */
    public List<String> alternativeNames() {
        List<String> names = new ArrayList<>(alternatives.length);
        for (Alternative a : alternatives) {
            names.add(a.name());
        }
        return names;
    }

    /** The primary's circuit breaker, or null; for diagnostics and tests. */
    public Breaker breaker() {
        return breaker;
    }

    @Override
    public boolean runsFirstAttempt() {
        return guarded;
    }

    private ReboundSettings settings() {
        ReboundSettings s = fixedSettings;
        return s != null ? s : ReboundSettings.global();
    }

    @Override
    public boolean needsStartTime() {
        return primaryRetry.hasDeadline() || settings().timesSuccess();
    }

    @Override
    public long now() {
        return settings().timeSource().nanoTime();
    }

    @Override
    public Object execute(Object context, Object[] args, Invoker primary) throws Throwable {
        if (guarded) {
            return executeGuarded(context, args, primary);
        }
        if (!needsStartTime()) {
            try {
                return primary.invoke(context, args);
            } catch (Throwable t) {
                return recover(t, 0L, context, args, primary);
            }
        }
        long start = now();
        Object result;
        try {
            result = primary.invoke(context, args);
        } catch (Throwable t) {
            return recover(t, start, context, args, primary);
        }
        succeeded(start);
        return result;
    }

    /** {@link #execute} with a breaker or a budget: the first attempt is counted and asks the breaker. */
    private Object executeGuarded(Object context, Object[] args, Invoker primary) throws Throwable {
        ReboundSettings s = settings();
        TimeSource time = s.timeSource();
        RetryBudget budget = budget(s, PRIMARY);
        if (budget != null) {
            budget.recordCall();
        }
        long start = primaryRetry.hasDeadline() || s.timesSuccess() ? time.nanoTime() : 0L;
        Object result;
        try {
            result = attempt(breaker, time, context, args, primary);
        } catch (Throwable t) {
            return recover(t, start, context, args, primary);
        }
        succeeded(start);
        return result;
    }

    /** One attempt, admitted and recorded by {@code breaker} when there is one. */
    private static Object attempt(Breaker breaker, TimeSource time, Object context, Object[] args,
            Invoker invoker) throws Throwable {
        if (breaker == null) {
            return invoker.invoke(context, args);
        }
        Object permit = breaker.tryAcquire(time);
        if (permit == null) {
            throw breaker.refusal();
        }
        Object result;
        try {
            result = invoker.invoke(context, args);
        } catch (Throwable t) {
            breaker.failed(permit, t, time);
            throw t;
        }
        breaker.succeeded(permit);
        return result;
    }

    /** The retry budget of target {@code index} under {@code s}, or null. */
    private RetryBudget budget(ReboundSettings s, int index) {
        if (!budgeted) {
            return null;
        }
        BoundBudgets b = boundBudgets;
        if (b == null || b.settings != s) {
            RetryBudget[] budgets = new RetryBudget[alternatives.length + 1];
            budgets[PRIMARY] = RetryBudgets.of(s, primaryRetry, budgetScope);
            for (int i = 0; i < alternatives.length; i++) {
                budgets[i + 1] = RetryBudgets.of(s, alternatives[i].retry(), budgetScope);
            }
            b = new BoundBudgets(s, budgets);
            boundBudgets = b;
        }
        return b.budgets[index];
    }

    /** The retry budgets of the targets under one settings instance. */
    private static final class BoundBudgets {
        final ReboundSettings settings;
        final RetryBudget[] budgets;

        BoundBudgets(ReboundSettings settings, RetryBudget[] budgets) {
            this.settings = settings;
            this.budgets = budgets;
        }
    }

    @Override
    public void succeeded(long startNanos) {
        ReboundSettings s = settings();
        if (s.timesSuccess()) {
            long nanos = startNanos == 0L ? -1L : s.timeSource().nanoTime() - startNanos;
            List<ReboundListener> ls = s.listeners();
            for (int i = 0, n = ls.size(); i < n; i++) {
                ReboundListener l = ls.get(i);
                if (l.wantsFirstAttemptSuccess()) {
                    try {
                        l.onFirstAttemptSuccess(name, nanos);
                    } catch (RuntimeException e) {
                        LOG.warn("Rebound listener {} threw {}; ignored", l.getClass().getName(),
                                e.getClass().getName());
                    }
                }
            }
        }
    }

    @Override
    public Object recover(Throwable failure, long startNanos, Object context, Object[] args, Invoker primary)
            throws Throwable {
        Run run = new Run(settings());
        Object result = retry(run, PRIMARY, context, args, primary, failure, startNanos != 0L ? startNanos : -1L);
        if (result != FAILED) {
            return result;
        }
        Throwable primaryLast = run.last;
        if (!run.stopped() && alternatives.length > 0 && fallbackRule.fallsBackOn(primaryLast)) {
            Object[] fallbackArgs = primary.arguments(context, args);
            String from = primaryName;
            for (int i = 0; i < alternatives.length; i++) {
                Alternative alt = alternatives[i];
                run.emit(Kind.FALLBACK, from, alt.name(), 0, 0L, null, run.last);
                run.reached(alt.name());
                Object instance;
                Object outcome;
                try {
                    instance = alt.instance();
                    outcome = retry(run, i + 1, instance, fallbackArgs, alt, null, -1L);
                } catch (Throwable providerFailure) {
                    run.failed(providerFailure);
                    outcome = FAILED;
                }
                if (outcome != FAILED) {
                    return outcome;
                }
                if (run.stopped() || !fallbackRule.fallsBackOn(run.last)) {
                    break;
                }
                from = alt.name();
            }
        }
        throw run.finish(primaryLast instanceof Error || !(run.last instanceof Error) ? primaryLast : run.last);
    }

    /**
     * Attempts target {@code index} (the primary, or alternative {@code index - 1}) under its retry
     * policy, its budget and (the primary) its breaker. {@code failure} is the failure of attempt 1
     * when the caller already ran it, else null. Returns the result or {@link #FAILED}.
     */
    private Object retry(Run run, int index, Object context, Object[] args, Invoker invoker,
            Throwable failure, long startNanos) {
        String target = index == PRIMARY ? primaryName : alternatives[index - 1].name();
        RetryPolicy policy = index == PRIMARY ? primaryRetry : alternatives[index - 1].retry();
        Breaker guard = index == PRIMARY ? breaker : null;
        RetryBudget budget = budget(run.settings, index);
        TimeSource time = run.settings.timeSource();
        long deadline = Long.MAX_VALUE;
        if (policy.hasDeadline()) {
            long start = startNanos >= 0 ? startNanos : time.nanoTime();
            deadline = start + policy.maxDurationNanos();
        }
        int attempt = 1;
        if (failure == null) {
            if (budget != null) {
                budget.recordCall();
            }
            try {
                Object result = attempt(guard, time, context, args, invoker);
                run.emit(Kind.SUCCEEDED, target, null, attempt, 0L, null, null);
                return result;
            } catch (Throwable t) {
                failure = t;
            }
        }
        while (true) {
            run.failed(failure);
            boolean refused = failure instanceof CircuitBreakerOpenException;
            if (!refused) {
                run.emit(Kind.ATTEMPT_FAILED, target, null, attempt, 0L, null, failure);
            }
            long hint = RetryAfter.takeNanos();
            String stop = null;
            if (failure instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                stop = "interrupted";
                run.interrupted = true;
            } else if (refused || (guard != null && guard.isOpen())) {
                stop = "circuit-open";
            } else if (!policy.retries(failure)) {
                stop = "not-retryable";
            } else if (attempt >= policy.attempts()) {
                stop = "attempts";
            }
            long wait = 0L;
            String why = "backoff";
            if (stop == null) {
                wait = policy.waitNanos(attempt, run.settings.random());
                if (hint > wait) {
                    wait = Math.min(hint, policy.maxDelayNanos());
                    why = "retry-after";
                }
                if (deadline != Long.MAX_VALUE) {
                    long now = time.nanoTime();
                    if (now >= deadline || wait > deadline - now) {
                        stop = "deadline";
                    }
                }
                if (stop == null && budget != null && !budget.tryWithdraw(time.nanoTime())) {
                    stop = "budget";
                }
            }
            if (stop != null) {
                run.emit(Kind.RETRIES_EXHAUSTED, target, null, attempt, 0L, stop, failure);
                return FAILED;
            }
            attempt++;
            run.emit(Kind.RETRY_SCHEDULED, target, null, attempt, wait, why, failure);
            try {
                if (wait > 0L) {
                    time.sleep(wait);
                } else if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                run.interrupted = true;
                run.emit(Kind.INTERRUPTED, target, null, attempt, 0L, "interrupted", failure);
                return FAILED;
            }
            try {
                Object result = attempt(guard, time, context, args, invoker);
                run.emit(Kind.SUCCEEDED, target, null, attempt, 0L, null, null);
                return result;
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    /** The state of one call that has failed at least once. */
    private final class Run {
        final ReboundSettings settings;
        final List<Throwable> history = new ArrayList<>(4);
        Throwable last;
        boolean interrupted;
        String current = primaryName;

        Run(ReboundSettings settings) {
            this.settings = settings;
        }

        void failed(Throwable t) {
            last = t;
            history.add(t);
        }

        void reached(String alternative) {
            current = alternative;
        }

        /** No further attempt or fallback: interrupted, or an Error. */
        boolean stopped() {
            return interrupted || last instanceof Error;
        }

        /** Attaches every other failure to {@code thrown}, in order, each instance once. */
        Throwable finish(Throwable thrown) {
            Throwable[] already = null;
            for (int i = 0, n = history.size(); i < n; i++) {
                Throwable t = history.get(i);
                if (t == thrown || seenEarlier(i, t)) {
                    continue;
                }
                if (already == null) {
                    already = thrown.getSuppressed();
                }
                if (!contains(already, t)) {
                    try {
                        thrown.addSuppressed(t);
                    } catch (RuntimeException refused) {
                        // a failure whose addSuppressed is broken: keep the caller's exception intact
                    }
                }
            }
            emit(Kind.FAILED, current, null, 0, 0L, interrupted ? "interrupted" : null, thrown);
            return thrown;
        }

        private boolean seenEarlier(int index, Throwable t) {
            for (int i = 0; i < index; i++) {
                if (history.get(i) == t) {
                    return true;
                }
            }
            return false;
        }

        void emit(Kind kind, String target, String alternative, int attempt, long waitNanos, String reason,
                Throwable failure) {
            Engine.this.emit(settings, kind, target, alternative, attempt, waitNanos, reason, failure);
        }
    }

    private void emit(ReboundSettings settings, Kind kind, String target, String alternative, int attempt,
            long waitNanos, String reason, Throwable failure) {
        List<ReboundListener> ls = settings.listeners();
        int n = ls.size();
        if (n == 0) {
            return;
        }
        ReboundEvent event = new ReboundEvent(kind, name, target, alternative, attempt,
                waitNanos == 0L ? Duration.ZERO : Duration.ofNanos(waitNanos), reason, failure);
        for (int i = 0; i < n; i++) {
            ReboundListener l = ls.get(i);
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("Rebound listener {} threw {}; ignored", l.getClass().getName(),
                        e.getClass().getName());
            }
        }
    }

    /** Reports the breaker's transitions as events on the primary. */
    private final class BreakerEvents implements Breaker.Transitions {
        @Override
        public void opened(boolean fromHalfOpen, Throwable cause) {
            emit(settings(), Kind.CIRCUIT_OPENED, primaryName, null, 0, breaker.policy().delayNanos(),
                    fromHalfOpen ? "probe-failed" : "failure-ratio", cause);
        }

        @Override
        public void halfOpened() {
            emit(settings(), Kind.CIRCUIT_HALF_OPEN, primaryName, null, 0, 0L, null, null);
        }

        @Override
        public void closed() {
            emit(settings(), Kind.CIRCUIT_CLOSED, primaryName, null, 0, 0L, null, null);
        }
    }

    private static boolean contains(Throwable[] array, Throwable t) {
        for (Throwable x : array) {
            if (x == t) {
                return true;
            }
        }
        return false;
    }

    /** A supplier of a fixed instance. */
    public static Supplier<Object> fixed(Object instance) {
        return () -> instance;
    }
}
