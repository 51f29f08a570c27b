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
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one engine behind every door: Fallback(Retry(CircuitBreaker(call))). A first attempt that
 * succeeds allocates nothing; neither does the failure path while its failures are one instance and
 * nobody listens.
 *
 * <p>The circuit breaker sits inside the retry, on the primary target only: it sees every attempt
 * (so a dead target opens it after a window of attempts, not of calls), an open breaker stops the
 * retry at once (no backoff is waited for an attempt that would be refused), and a half-open probe
 * is a single attempt. A retry budget is asked before each retry, after every other reason to stop.
 */
public final class Engine implements ResilientMethod {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

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
    public boolean admitFirstAttempt() {
        if (!guarded) {
            return true;
        }
        if (breaker != null && !breaker.isClosed()) {
            return false; // execute asks the breaker, which refuses or lets a probe through
        }
        RetryBudget budget = budget(settings(), 0);
        if (budget != null) {
            budget.recordCall();
        }
        return true;
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
                return recoverFrom(t, 0L, context, args, primary);
            }
        }
        long start = now();
        Object result;
        try {
            result = primary.invoke(context, args);
        } catch (Throwable t) {
            return recoverFrom(t, start, context, args, primary);
        }
        reportFirstAttemptSuccess(start);
        return result;
    }

    /** {@link #execute} with a breaker or a budget: the first attempt is counted and asks the breaker. */
    private Object executeGuarded(Object context, Object[] args, Invoker primary) throws Throwable {
        ReboundSettings s = settings();
        TimeSource time = s.timeSource();
        RetryBudget budget = budget(s, 0);
        if (budget != null) {
            budget.recordCall();
        }
        long start = primaryRetry.hasDeadline() || s.timesSuccess() ? time.nanoTime() : 0L;
        Object result;
        try {
            result = attempt(breaker, time, context, args, primary);
        } catch (Throwable t) {
            return recoverFrom(t, start, context, args, primary);
        }
        reportFirstAttemptSuccess(start);
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

    /**
     * The retry budget of target {@code index} (0 = the primary, else alternative index - 1) under
     * {@code s}, or null. Only the primary's first attempt counts as a call (one per call of the
     * method); every target's retries draw on its budget.
     */
    private RetryBudget budget(ReboundSettings s, int index) {
        if (!budgeted) {
            return null;
        }
        BoundBudgets b = boundBudgets;
        if (b == null || b.settings != s) {
            RetryBudget[] budgets = new RetryBudget[alternatives.length + 1];
            budgets[0] = RetryBudgets.of(s, primaryRetry, budgetScope);
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
        if (breaker != null) {
            breaker.succeededWithoutPermit();
        }
        reportFirstAttemptSuccess(startNanos);
    }

    /** Tells the listeners that want it about a first attempt that succeeded. */
    private void reportFirstAttemptSuccess(long startNanos) {
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

    /** A door's first attempt failed: the breaker (if any) records it, then the failure path. */
    @Override
    public Object recover(Throwable failure, long startNanos, Object context, Object[] args, Invoker primary)
            throws Throwable {
        if (breaker != null) {
            breaker.failedWithoutPermit(failure, settings().timeSource());
        }
        return recoverFrom(failure, startNanos, context, args, primary);
    }

    /**
     * The failure path: the rest of the primary's attempts, then each alternative's, in one loop
     * whose state lives in locals. It allocates nothing while the failures are one exception instance
     * and nobody listens; a second distinct failure allocates the history array once.
     */
    private Object recoverFrom(Throwable failure, long startNanos, Object context, Object[] args,
            Invoker primary) throws Throwable {
        ReboundSettings s = settings();
        TimeSource time = s.timeSource();
        Throwable first = null;      // the first failure of the call
        Throwable[] others = null;   // the distinct failures after it, in order; null-terminated
        Throwable last = null;
        Throwable primaryLast = null;
        boolean interrupted = false;
        String target = primaryName;
        Object[] fallbackArgs = null;
        for (int next = 0; ; next++) {
            // next == 0: the primary, whose first attempt has failed; then alternatives[next - 1]
            RetryPolicy policy;
            Invoker invoker;
            Object instance;
            Object[] callArgs;
            long start = -1L;
            Throwable f = null;
            if (next == 0) {
                policy = primaryRetry;
                invoker = primary;
                instance = context;
                callArgs = args;
                f = failure;
                if (startNanos != 0L) {
                    start = startNanos;
                }
            } else {
                if (next == 1) {
                    primaryLast = last;
                }
                if (next > alternatives.length || interrupted || last instanceof Error
                        || !fallbackRule.fallsBackOn(last)) {
                    break;
                }
                Alternative alt = alternatives[next - 1];
                emit(s, Kind.FALLBACK, target, alt.name(), 0, 0L, null, last);
                target = alt.name();
                policy = alt.retry();
                invoker = alt;
                if (fallbackArgs == null) {
                    fallbackArgs = primary.arguments(context, args);
                }
                callArgs = fallbackArgs;
                try {
                    instance = alt.instance();
                } catch (Throwable providerFailure) {
                    last = providerFailure;
                    if (first == null) {
                        first = providerFailure;
                    } else {
                        others = remember(others, first, providerFailure);
                    }
                    continue;
                }
            }
            Breaker guard = next == 0 ? breaker : null;
            RetryBudget budget = budget(s, next);
            long deadline = Long.MAX_VALUE;
            if (policy.hasDeadline()) {
                long from = start >= 0 ? start : time.nanoTime();
                deadline = from + policy.maxDurationNanos();
                if (deadline < from) {
                    deadline = Long.MAX_VALUE; // a deadline centuries away (saturated maxDuration): none
                }
            }
            for (int attempt = 1; ; ) {
                if (f == null) {
                    Object result;
                    try {
                        result = attempt(guard, time, instance, callArgs, invoker);
                    } catch (Throwable t) {
                        f = t;
                        result = null;
                    }
                    if (f == null) {
                        // outside the attempt's try: a listener's Error is never taken for the attempt's
                        emit(s, Kind.SUCCEEDED, target, null, attempt, 0L, next == 0 ? "retry" : "fallback",
                                null, startNanos);
                        return result;
                    }
                }
                last = f;
                if (first == null) {
                    first = f;
                } else {
                    others = remember(others, first, f);
                }
                boolean refused = f instanceof CircuitBreakerOpenException;
                if (!refused) {
                    emit(s, Kind.ATTEMPT_FAILED, target, null, attempt, 0L, null, f);
                }
                long hint = RetryAfter.takeNanos();
                String stop = null;
                if (f instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                    stop = "interrupted";
                    interrupted = true;
                } else if (refused || (guard != null && guard.isOpen())) {
                    stop = "circuit-open";
                } else if (!policy.retries(f)) {
                    stop = "not-retryable";
                } else if (attempt >= policy.attempts()) {
                    stop = "attempts";
                }
                long wait = 0L;
                String why = "backoff";
                if (stop == null) {
                    wait = policy.waitNanos(attempt, s.random());
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
                    emit(s, Kind.RETRIES_EXHAUSTED, target, null, attempt, 0L, stop, f);
                    break;
                }
                attempt++;
                emit(s, Kind.RETRY_SCHEDULED, target, null, attempt, wait, why, f);
                if (!pause(time, wait)) {
                    interrupted = true;
                    emit(s, Kind.INTERRUPTED, target, null, attempt, 0L, "interrupted", f);
                    break;
                }
                f = null;
            }
        }
        Throwable thrown = primaryLast instanceof Error || !(last instanceof Error) ? primaryLast : last;
        suppressInto(thrown, first, others);
        emit(s, Kind.FAILED, target, null, 0, 0L, interrupted ? "interrupted" : null, thrown, startNanos);
        throw thrown;
    }

    /** Waits {@code nanos}; false when interrupted (the flag is set again). */
    private static boolean pause(TimeSource time, long nanos) {
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

    /** {@code others} with {@code t} appended unless it is {@code first} or already there. */
    private static Throwable[] remember(Throwable[] others, Throwable first, Throwable t) {
        if (t == first) {
            return others;
        }
        int n = 0;
        if (others != null) {
            for (; n < others.length && others[n] != null; n++) {
                if (others[n] == t) {
                    return others;
                }
            }
        }
        if (others == null) {
            others = new Throwable[4];
        } else if (n == others.length) {
            others = Arrays.copyOf(others, n * 2);
        }
        others[n] = t;
        return others;
    }

    /** Attaches every failure of the call but {@code thrown} to it, in order, each instance once. */
    private static void suppressInto(Throwable thrown, Throwable first, Throwable[] others) {
        Throwable[] already = thrown.getSuppressed();
        suppress(thrown, first, already);
        if (others != null) {
            for (int i = 0; i < others.length && others[i] != null; i++) {
                suppress(thrown, others[i], already);
            }
        }
    }

    private static void suppress(Throwable thrown, Throwable t, Throwable[] already) {
        if (t == thrown || contains(already, t)) {
            return;
        }
        try {
            thrown.addSuppressed(t);
        } catch (RuntimeException refused) {
            // a failure whose addSuppressed is broken: keep the caller's exception intact
        }
    }

    private void emit(ReboundSettings s, Kind kind, String target, String alternative, int attempt,
            long waitNanos, String reason, Throwable failure) {
        emit(s, kind, target, alternative, attempt, waitNanos, reason, failure, 0L);
    }

    /**
     * Builds and delivers an event, only when someone listens. Final events (SUCCEEDED, FAILED)
     * carry the call's duration when the door measured its start ({@code startNanos != 0}).
     */
    private void emit(ReboundSettings s, Kind kind, String target, String alternative, int attempt,
            long waitNanos, String reason, Throwable failure, long startNanos) {
        List<ReboundListener> ls = s.listeners();
        int n = ls.size();
        if (n == 0) {
            return;
        }
        Duration elapsed = null;
        if ((kind == Kind.SUCCEEDED || kind == Kind.FAILED) && startNanos != 0L) {
            elapsed = Duration.ofNanos(Math.max(0L, s.timeSource().nanoTime() - startNanos));
        }
        ReboundEvent event = new ReboundEvent(kind, name, target, alternative, attempt,
                waitNanos == 0L ? Duration.ZERO : Duration.ofNanos(waitNanos), reason, failure, elapsed);
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
