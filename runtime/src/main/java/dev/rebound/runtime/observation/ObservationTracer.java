package dev.rebound.runtime.observation;

import dev.rebound.runtime.RejectedResultException;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Traces calls through Micrometer's Observation API: whatever handlers the registry has (Micrometer
 * Tracing's OpenTelemetry or Brave bridge, a meter handler) see one observation per call, a child
 * per attempt and one per fallback switch. Micrometer is an optional dependency of the runtime: add
 * {@code io.micrometer:micrometer-observation} (a tracing bridge brings it) to use this class.
 *
 * <p>The tree of the seed's example, gpt-4 failing three times then gpt-3.5-turbo answering:
 * <pre>
 * ChatModel.chat                 rebound.outcome=fallback
 *   attempt gpt-4                rebound.attempt=1 rebound.outcome=failure rebound.wait.reason=backoff
 *   attempt gpt-4                rebound.attempt=2 ...
 *   attempt gpt-4                rebound.attempt=3 rebound.retry.stopped=attempts
 *   fallback gpt-3.5-turbo       rebound.from=gpt-4 rebound.to=gpt-3.5-turbo
 *     attempt gpt-3.5-turbo      rebound.attempt=1 rebound.outcome=success
 * </pre>
 *
 * <p>Observation names (the names meter handlers use) are {@value #CALL}, {@value #ATTEMPT} and
 * {@value #FALLBACK}; span names are their contextual names, as above. Low-cardinality keys: target,
 * outcome, failure class, wait reason, stop reason, from and to; high-cardinality (spans only): the
 * attempt number and the wait in milliseconds. A failed attempt (a rejected answer included; not a
 * refused attempt, which sent nothing) or call is reported to the observation as an error whose
 * message is the failure's class name and which has no stack trace ({@link RecordedFailure}), so
 * tracing bridges give the span an error status; the exception itself is never handed to the
 * observation, because bridges record its message.
 * In a synchronous call the attempt is the current observation while it runs, so langchain4j's own
 * observations and the HTTP client spans of an OpenTelemetry agent nest under the attempt that made
 * them. An asynchronous call (a CompletionStage or a stream) gives every observation its parent
 * explicitly and leaves none current on any thread: an attempt is current only while its target is
 * called, on the calling thread ({@link CallTrace#attemptCurrent}).
 *
 * <p>A registry that is {@linkplain ObservationRegistry#isNoop() no-op} costs nothing per call.
 */
public final class ObservationTracer implements CallTracer {

    /** The observation of one call of a resilient method. */
    public static final String CALL = "rebound.call";
    /** The observation of one attempt on one target. */
    public static final String ATTEMPT = "rebound.attempt";
    /** The observation of one switch to an alternative, parent of the alternative's attempts. */
    public static final String FALLBACK = "rebound.fallback";

    /** The resilient method, as {@code ChatModel.chat(String)}: low cardinality. */
    public static final String METHOD = "rebound.method";
    /** The target of an attempt (the primary's or an alternative's name): low cardinality. */
    public static final String TARGET = "rebound.target";
    /** The attempt's number on its target, 1-based: high cardinality. */
    public static final String ATTEMPT_NUMBER = "rebound.attempt";
    /**
     * An attempt's outcome ({@code success}, {@code failure}, {@code rejected} (a result predicate
     * rejected its answer), {@code refused} (a circuit breaker or a rate limit refused it: nothing was
     * sent)) or a call's ({@code success}, {@code success_after_retry}, {@code fallback}, {@code failure}).
     */
    public static final String OUTCOME = "rebound.outcome";
    /** The class name of the failure of an attempt or of a call. */
    public static final String FAILURE = "rebound.failure";
    /** Why the wait before the next attempt lasts what it does: backoff or retry-after. */
    public static final String WAIT_REASON = "rebound.wait.reason";
    /** The wait chosen before the next attempt, in whole milliseconds: high cardinality. */
    public static final String WAIT_MILLIS = "rebound.wait.ms";
    /**
     * Why a target gets no more attempts (attempts, not-retryable, deadline, budget, circuit-open,
     * rate-limited...).
     */
    public static final String RETRY_STOPPED = "rebound.retry.stopped";
    /** A fallback switch's origin. */
    public static final String FROM = "rebound.from";
    /** A fallback switch's destination. */
    public static final String TO = "rebound.to";
    private final ObservationRegistry registry;

    /**
     * A tracer that reports to {@code registry}.
     *
     * @throws NullPointerException if {@code registry} is null
     */
    public ObservationTracer(ObservationRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public CallTrace start(String method) {
        if (registry.isNoop()) {
            return CallTrace.NOOP;
        }
        return new ObservedCall(registry, method, true);
    }

    /** As {@link #start}, with nothing left current on any thread (see {@link CallTrace}). */
    @Override
    public CallTrace startAsync(String method) {
        if (registry.isNoop()) {
            return CallTrace.NOOP;
        }
        return new ObservedCall(registry, method, false);
    }

    /** {@code ChatModel.chat(String)} -> {@code ChatModel.chat}. */
    static String shortName(String method) {
        int paren = method.indexOf('(');
        return paren < 0 ? method : method.substring(0, paren);
    }

    /**
     * The observations of one call, told one step after the other: all on the calling thread for a
     * synchronous call; for an asynchronous one on the threads it goes on, each step after the one
     * before (the futures that chain them order the steps and publish these fields).
     */
    private static final class ObservedCall implements CallTrace {
        private final ObservationRegistry registry;
        private final Observation call;
        /**
         * A synchronous call is the current observation from its start to its end, the open fallback
         * switch inside it: tracing bridges take the current span for a new one's parent before the
         * parent observation given. Null for an asynchronous call, which keeps nothing in scope.
         */
        private final Observation.Scope callScope;
        /** The open fallback switch, parent of the attempts on its alternative; or null. */
        private Observation fallback;
        private Observation.Scope fallbackScope;
        /** The attempt not yet ended, or null. */
        private Observation attempt;
        private Observation.Scope attemptScope;

        /** @param scoped whether the call is synchronous, so its observations may be current while they last */
        ObservedCall(ObservationRegistry registry, String method, boolean scoped) {
            this.registry = registry;
            // its parent: what is current on the calling thread
            this.call = Observation.createNotStarted(CALL, registry)
                    .contextualName(shortName(method))
                    .lowCardinalityKeyValue(METHOD, method)
                    .start();
            this.callScope = scoped ? call.openScope() : null;
        }

        @Override
        public void attemptStarted(String target, int number) {
            try {
                endAttempt();
            } finally {
                startAttempt(target, number);
            }
        }

        private void startAttempt(String target, int number) {
            Observation parent = fallback != null ? fallback : call;
            attempt = startUnder(parent, Observation.createNotStarted(ATTEMPT, registry)
                    .contextualName("attempt " + target)
                    .lowCardinalityKeyValue(TARGET, target)
                    .highCardinalityKeyValue(ATTEMPT_NUMBER, Integer.toString(number)));
            if (callScope != null) {
                attemptScope = attempt.openScope();
            }
        }

        /** An asynchronous call's attempt, current on this thread until closed here (while its target is called). */
        @Override
        public CallTrace.Scope attemptCurrent() {
            if (callScope != null || attempt == null) {
                return CallTrace.Scope.NONE; // a synchronous call's attempt is current already
            }
            return attempt.openScope()::close;
        }

        /**
         * Starts {@code child} under {@code parent}. An asynchronous call's steps run on threads where
         * anything may be current (the span of the HTTP client that completed a future): the parent is
         * made current on this thread for the start only, because tracing bridges take the current
         * span for the parent before the parent observation given.
         */
        private Observation startUnder(Observation parent, Observation child) {
            child.parentObservation(parent);
            if (callScope != null) {
                return child.start(); // the parent is current: its scope is open on this thread
            }
            try (Observation.Scope ignored = parent.openScope()) {
                return child.start();
            }
        }

        @Override
        public void attemptSucceeded() {
            if (attempt != null) {
                closeScope();
                attempt.lowCardinalityKeyValue(OUTCOME, "success");
                endAttempt();
            }
        }

        @Override
        public void attemptFailed(Throwable failure) {
            if (attempt != null) {
                closeScope();
                String type = failure.getClass().getName();
                attempt.lowCardinalityKeyValue(FAILURE, type).lowCardinalityKeyValue(OUTCOME,
                        failure instanceof RejectedResultException ? "rejected" : "failure")
                        .error(new RecordedFailure(type));
            }
        }

        @Override
        public void attemptRefused(Throwable refusal) {
            if (attempt != null) {
                closeScope();
                attempt.lowCardinalityKeyValue(FAILURE, refusal.getClass().getName())
                        .lowCardinalityKeyValue(OUTCOME, "refused"); // nothing was sent: no error
            }
        }

        @Override
        public void retryScheduled(long waitNanos, String reason) {
            if (attempt != null) {
                attempt.lowCardinalityKeyValue(WAIT_REASON, reason)
                        .highCardinalityKeyValue(WAIT_MILLIS, Long.toString(TimeUnit.NANOSECONDS.toMillis(waitNanos)));
                endAttempt();
            }
        }

        @Override
        public void retriesStopped(String reason) {
            if (attempt != null) {
                attempt.lowCardinalityKeyValue(RETRY_STOPPED, reason);
                endAttempt();
            }
        }

        @Override
        public void fallback(String from, String to) {
            try {
                endAttempt();
            } finally {
                try {
                    endFallback();
                } finally {
                    startFallback(from, to);
                }
            }
        }

        private void startFallback(String from, String to) {
            fallback = startUnder(call, Observation.createNotStarted(FALLBACK, registry)
                    .contextualName("fallback " + to)
                    .lowCardinalityKeyValue(FROM, from)
                    .lowCardinalityKeyValue(TO, to));
            if (callScope != null) {
                fallbackScope = fallback.openScope();
            }
        }

        /**
         * Ends everything still open and the call, each step whatever an earlier one threw (a handler
         * that throws when an observation stops): nothing of the call stays current on the thread.
         * The first exception is rethrown, for the engine to log.
         */
        @Override
        public void ended(String outcome, Throwable failure) {
            try {
                endAttempt();
            } finally {
                try {
                    endFallback();
                } finally {
                    try {
                        if (callScope != null) {
                            callScope.close();
                        }
                    } finally {
                        call.lowCardinalityKeyValue(OUTCOME, outcome);
                        if (failure != null) {
                            String type = failure.getClass().getName();
                            call.lowCardinalityKeyValue(FAILURE, type).error(new RecordedFailure(type));
                        }
                        call.stop();
                    }
                }
            }
        }

        /** Closes the open attempt's scope, if any; forgotten first, so it is closed once whatever closing throws. */
        private void closeScope() {
            Observation.Scope scope = attemptScope;
            if (scope != null) {
                attemptScope = null;
                scope.close();
            }
        }

        /** Ends the open attempt, if any (its scope first); forgotten first, and stopped whatever closing threw. */
        private void endAttempt() {
            Observation ending = attempt;
            if (ending != null) {
                attempt = null;
                try {
                    closeScope();
                } finally {
                    ending.stop();
                }
            }
        }

        /** Ends the open fallback switch, as {@link #endAttempt} ends an attempt. */
        private void endFallback() {
            Observation ending = fallback;
            if (ending != null) {
                Observation.Scope scope = fallbackScope;
                fallback = null;
                fallbackScope = null;
                try {
                    if (scope != null) {
                        scope.close();
                    }
                } finally {
                    ending.stop();
                }
            }
        }
    }
}
