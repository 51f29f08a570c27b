package dev.rebound.runtime.internal;

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
 * The one engine behind every door: Fallback(Retry(call)). The first attempt runs with no
 * allocation; the failure path builds one small {@link Run} per call.
 */
public final class Engine implements ResilientMethod {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** Returned by {@link #retry} when the attempts of one target ended in failure. */
    private static final Object FAILED = new Object();

    private final String name;
    private final String primaryName;
    private final RetryPolicy primaryRetry;
    private final FallbackRule fallbackRule;
    private final Alternative[] alternatives;
    /** Null: read {@link ReboundSettings#global()} live. */
    private final ReboundSettings fixedSettings;

    public Engine(String name, String primaryName, RetryPolicy primaryRetry, FallbackRule fallbackRule,
            List<Alternative> alternatives, ReboundSettings fixedSettings) {
        this.name = name;
        this.primaryName = primaryName;
        this.primaryRetry = primaryRetry;
        this.fallbackRule = fallbackRule;
        this.alternatives = alternatives.toArray(new Alternative[0]);
        this.fixedSettings = fixedSettings;
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
        Run run = new Run(settings(), startNanos);
        Object result = retry(run, primaryName, primaryRetry, context, args, primary, failure,
                startNanos != 0L ? startNanos : -1L);
        if (result != FAILED) {
            return result;
        }
        Throwable primaryLast = run.last;
        if (!run.stopped() && alternatives.length > 0 && fallbackRule.fallsBackOn(primaryLast)) {
            Object[] fallbackArgs = primary.arguments(context, args);
            String from = primaryName;
            for (Alternative alt : alternatives) {
                run.emit(Kind.FALLBACK, from, alt.name(), 0, 0L, null, run.last);
                run.reached(alt.name());
                run.fellBack = true;
                Object instance;
                Object outcome;
                try {
                    instance = alt.instance();
                    outcome = retry(run, alt.name(), alt.retry(), instance, fallbackArgs, alt, null, -1L);
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
     * Attempts one target under {@code policy}. {@code failure} is the failure of attempt 1 when the
     * caller already ran it, else null. Returns the result or {@link #FAILED}.
     */
    private Object retry(Run run, String target, RetryPolicy policy, Object context, Object[] args,
            Invoker invoker, Throwable failure, long startNanos) {
        TimeSource time = run.settings.timeSource();
        long deadline = Long.MAX_VALUE;
        if (policy.hasDeadline()) {
            long start = startNanos >= 0 ? startNanos : time.nanoTime();
            deadline = start + policy.maxDurationNanos();
            if (deadline < start) {
                deadline = Long.MAX_VALUE; // a deadline centuries away (saturated maxDuration): none
            }
        }
        int attempt = 1;
        if (failure == null) {
            Object result;
            try {
                result = invoker.invoke(context, args);
            } catch (Throwable t) {
                failure = t;
                result = FAILED;
            }
            if (result != FAILED) {
                return run.succeeded(target, attempt, result);
            }
        }
        while (true) {
            run.failed(failure);
            run.emit(Kind.ATTEMPT_FAILED, target, null, attempt, 0L, null, failure);
            long hint = RetryAfter.takeNanos();
            String stop = null;
            if (failure instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                stop = "interrupted";
                run.interrupted = true;
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
            Object result;
            try {
                result = invoker.invoke(context, args);
            } catch (Throwable t) {
                failure = t;
                continue;
            }
            return run.succeeded(target, attempt, result);
        }
    }

    /** The state of one call that has failed at least once. */
    private final class Run {
        final ReboundSettings settings;
        /** When the call began, or 0 when the door did not measure it (see needsStartTime). */
        final long startNanos;
        final List<Throwable> history = new ArrayList<>(4);
        Throwable last;
        boolean interrupted;
        boolean fellBack;
        String current = primaryName;

        Run(ReboundSettings settings, long startNanos) {
            this.settings = settings;
            this.startNanos = startNanos;
        }

        /**
         * The call's final SUCCEEDED event, emitted outside the attempt's try block so that a
         * listener's Error can never be taken for the attempt's failure and re-run a call that
         * has already succeeded.
         */
        Object succeeded(String target, int attempt, Object result) {
            emit(Kind.SUCCEEDED, target, null, attempt, 0L, fellBack ? "fallback" : "retry", null);
            return result;
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
            List<ReboundListener> ls = settings.listeners();
            int n = ls.size();
            if (n == 0) {
                return;
            }
            Duration elapsed = null;
            if ((kind == Kind.SUCCEEDED || kind == Kind.FAILED) && startNanos != 0L) {
                elapsed = Duration.ofNanos(Math.max(0L, settings.timeSource().nanoTime() - startNanos));
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
