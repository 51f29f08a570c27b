package dev.rebound.runtime.metrics;

import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Publishes what Rebound does to a Micrometer {@link MeterRegistry}. Micrometer is an optional
 * dependency of the runtime: add {@code io.micrometer:micrometer-core} to use this class.
 *
 * <pre>{@code
 * ReboundSettings.setGlobal(ReboundSettings.builder()
 *     .listener(new MicrometerListener(registry))
 *     .build());
 * }</pre>
 *
 * <p>Meters, each tagged {@code interface} and {@code method} (simple names, as
 * {@code ChatClient} and {@code chat}) and nothing else that varies per call:
 * <ul>
 *   <li>{@value #CALLS}: a counter per {@code outcome}: {@code success} (first attempt),
 *       {@code success_after_retry} (the primary answered after failing), {@code fallback} (an
 *       alternative answered), {@code failure} (the caller got an exception). The four add up to
 *       the logical calls made: a fallback that applies a policy of its own (a {@code Rebound.wrap}
 *       wrapper, a woven or intercepted instance) is part of the call that fell back to it, and counts
 *       no call ({@link ReboundEvent#nestedCall()}).
 *   <li>{@value #ATTEMPTS}: a counter per {@code target} (the primary's or an alternative's name,
 *       as {@code gpt-4} or {@code OpenAiChatModel}): every attempt made, first ones included, on
 *       the primary and on the alternatives; the attempts a model cost. A fallback handler's own
 *       answer sent nothing and is none (its {@code SUCCEEDED} event has attempt 0). A fallback that
 *       applies a policy of its own (a {@code Rebound.wrap} wrapper, a woven or intercepted instance) counts
 *       the requests it sent, retries included; the
 *       call that fell back to it counts none for it ({@link ReboundEvent#attemptOnWrapper()}).
 *   <li>{@value #WAITS}: a timer per {@code target} and {@code reason} ({@code backoff},
 *       {@code retry-after}): the wait chosen before each retry, by why it lasts what it does; the
 *       time a model's failures cost (a rate limit's waits are {@value #RATE_LIMIT_WAIT}).
 *   <li>{@value #FALLBACKS}: a counter per {@code from} and {@code to} (simple class names):
 *       switches from one target to the next alternative.
 *   <li>{@value #DURATION}: a timer of whole logical calls, waits and alternatives included.
 *   <li>{@value #RETRIES_STOPPED}: a counter per {@code reason} (the reason of the
 *       {@code RETRIES_EXHAUSTED} event: {@code attempts}, {@code not-retryable}, {@code deadline},
 *       {@code interrupted}, {@code circuit-open}, {@code rate-limited}, {@code budget}, ...): why a
 *       target's retries ended without an answer; {@code budget} counts the
 *       failures a spent retry budget sent to the fallbacks.
 *   <li>{@value #CIRCUIT_TRANSITIONS}: a counter per {@code target} and {@code state} entered
 *       ({@code open}, {@code half_open}, {@code closed}): each breaker is a target's, the primary's (the
 *       method's own breaker) or an alternative's (its own {@code @CircuitBreaker}), and {@code target}
 *       names whose, as {@value #ATTEMPTS} does.
 *   <li>{@value #RATE_LIMIT_WAIT}: a timer of the waits a rate limit imposed before an attempt.
 *   <li>{@value #RATE_LIMIT_REFUSED}: a counter per {@code reason} ({@code rate-limit-exceeds-max-delay},
 *       {@code deadline}): attempts a rate limit refused without sending them.
 *   <li>{@value #RATE_LIMIT_TOKENS}: a counter per {@code direction} ({@code charged}, {@code refunded}):
 *       tokens taken from a rate limit before and after attempts, and given back.
 *   <li>{@value #STREAMS_BROKEN}: a counter per {@code target}: streamed calls that broke after their
 *       first partial response (the caller's handler got a {@code PartialStreamException}).
 * </ul>
 *
 * <p>Meters are registered once per method (and per target, fallback pair or reason) and cached: a
 * call that succeeds on its first attempt costs two map reads, two counter increments and a timer
 * record, and builds no event and no tag list; under a rate limit it also has the rate limit's events
 * ({@code RATE_LIMIT_TOKENS_CHARGED}, {@code RATE_LIMIT_WAITED}, ...), which count in
 * {@value #RATE_LIMIT_TOKENS} and {@value #RATE_LIMIT_WAIT}. Argument values, results and exception
 * messages never become tags.
 */
public final class MicrometerListener implements ReboundListener {

    /** Calls by outcome. */
    public static final String CALLS = "rebound.calls";
    /** Attempts made, by target. */
    public static final String ATTEMPTS = "rebound.attempts";
    /** Waits chosen before retries, by target and reason. */
    public static final String WAITS = "rebound.wait.duration";
    /** Switches to an alternative. */
    public static final String FALLBACKS = "rebound.fallbacks";
    /** Whole-call durations. */
    public static final String DURATION = "rebound.call.duration";
    /** Why retries ended without an answer. */
    public static final String RETRIES_STOPPED = "rebound.retries.stopped";
    /** Circuit breaker transitions. */
    public static final String CIRCUIT_TRANSITIONS = "rebound.circuit.transitions";
    /** Waits for a rate limit before an attempt was sent. */
    public static final String RATE_LIMIT_WAIT = "rebound.rate_limit.wait";
    /** Attempts a rate limit refused, by reason. */
    public static final String RATE_LIMIT_REFUSED = "rebound.rate_limit.refused";
    /** Tokens charged to and refunded by a rate limit, by direction. */
    public static final String RATE_LIMIT_TOKENS = "rebound.rate_limit.tokens";
    /** Counter: attempts whose result a result predicate rejected (also counted in {@link #ATTEMPTS}). */
    public static final String RESULTS_REJECTED = "rebound.results.rejected";
    /** Counter: attempts cut by their attemptTimeout (also counted in {@link #ATTEMPTS}). */
    public static final String ATTEMPT_TIMEOUTS = "rebound.attempt.timeouts";
    /**
     * Counter per {@code target}: streamed calls that broke after their first partial response (the
     * handler got a {@code PartialStreamException}; the call itself was counted in {@link #CALLS} when its
     * first token came).
     */
    public static final String STREAMS_BROKEN = "rebound.streams.broken";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, MethodMeters> byMethod = new ConcurrentHashMap<>();

    /**
     * A listener that registers its meters in {@code registry}.
     *
     * @throws NullPointerException if {@code registry} is null
     */
    public MicrometerListener(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Every kind a meter counts (all but INTERRUPTED), asked once per call. */
    private static final Set<ReboundEvent.Kind> COUNTED = Collections.unmodifiableSet(
            EnumSet.complementOf(EnumSet.of(ReboundEvent.Kind.INTERRUPTED)));

    /** The kinds its meters count: every one but INTERRUPTED (the call's FAILED event counts it). */
    @Override
    public Set<ReboundEvent.Kind> wantedKinds() {
        return COUNTED;
    }

    @Override
    public boolean wantsFirstAttemptSuccess() {
        return true;
    }

    @Override
    public void onFirstAttemptSuccess(String method, long nanos) {
        onFirstAttemptSuccess(method, "", nanos);
    }

    @Override
    public void onFirstAttemptSuccess(String method, String target, long nanos) {
        MethodMeters m = meters(method);
        m.success.increment();
        m.attempts(target).increment();
        if (nanos >= 0) {
            m.duration.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * A fallback that is a wrapper of its own answered at once, inside its enclosing call: one request,
     * counted in {@value #ATTEMPTS}; the enclosing call is the call, counted when it ends.
     */
    @Override
    public void onNestedFirstAttemptSuccess(String method, String target, long nanos) {
        meters(method).attempts(target).increment();
    }

    @Override
    public void onEvent(ReboundEvent e) {
        switch (e.kind()) {
            case ATTEMPT_FAILED: {
                MethodMeters m = meters(e.method());
                if (!e.attemptOnWrapper()) { // a wrapper of its own counts the requests it sent
                    m.attempts(e.target()).increment();
                }
                if ("timeout".equals(e.reason())) {
                    m.tagged(ATTEMPT_TIMEOUTS, "reason", "timeout").increment();
                }
                break;
            }
            case RETRY_SCHEDULED:
                meters(e.method()).waits(e.target(), e.reason()).record(e.waitTime());
                break;
            case RESULT_REJECTED: {
                MethodMeters m = meters(e.method());
                if (!e.attemptOnWrapper()) {
                    m.attempts(e.target()).increment();
                }
                m.tagged(RESULTS_REJECTED, "reason", e.reason()).increment();
                break;
            }
            case FALLBACK:
                meters(e.method()).fallback(e.target(), e.alternative()).increment();
                break;
            case SUCCEEDED: {
                MethodMeters m = meters(e.method());
                // 0: a fallback handler's own answer, which sent nothing; a wrapper of its own counts its requests
                if (e.attempt() >= 1 && !e.attemptOnWrapper()) {
                    m.attempts(e.target()).increment();
                }
                if (!e.nestedCall()) { // a wrapper's call as a fallback is part of its enclosing call
                    ("fallback".equals(e.reason()) ? m.fallback : m.successAfterRetry).increment();
                    record(m, e.elapsed());
                }
                break;
            }
            case FAILED: {
                if (!e.nestedCall()) {
                    MethodMeters m = meters(e.method());
                    m.failure.increment();
                    record(m, e.elapsed());
                }
                break;
            }
            case RETRIES_EXHAUSTED:
                meters(e.method()).tagged(RETRIES_STOPPED, "reason", e.reason()).increment();
                break;
            case CIRCUIT_OPENED:
                meters(e.method()).transitions(e.target(), "open").increment();
                break;
            case CIRCUIT_HALF_OPEN:
                meters(e.method()).transitions(e.target(), "half_open").increment();
                break;
            case CIRCUIT_CLOSED:
                meters(e.method()).transitions(e.target(), "closed").increment();
                break;
            case RATE_LIMIT_WAITED:
                meters(e.method()).rateLimitWait().record(e.waitTime());
                break;
            case RATE_LIMIT_REFUSED:
                meters(e.method()).tagged(RATE_LIMIT_REFUSED, "reason", e.reason()).increment();
                break;
            case RATE_LIMIT_TOKENS_CHARGED:
                meters(e.method()).tagged(RATE_LIMIT_TOKENS, "direction", "charged").increment(e.tokens());
                break;
            case RATE_LIMIT_TOKENS_REFUNDED:
                meters(e.method()).tagged(RATE_LIMIT_TOKENS, "direction", "refunded").increment(e.tokens());
                break;
            case STREAM_BROKEN:
                meters(e.method()).tagged(STREAMS_BROKEN, "target", e.target()).increment();
                break;
            default:
                break;
        }
    }

    private static void record(MethodMeters m, Duration elapsed) {
        if (elapsed != null) {
            m.duration.record(elapsed);
        }
    }

    private MethodMeters meters(String method) {
        MethodMeters m = byMethod.get(method);
        return m != null ? m : byMethod.computeIfAbsent(method, k -> new MethodMeters(registry, k));
    }

    /** The meters of one resilient method, registered on its first call. */
    private static final class MethodMeters {
        final MeterRegistry registry;
        final Tags tags;
        final Counter success;
        final Counter successAfterRetry;
        final Counter fallback;
        final Counter failure;
        final Timer duration;
        /** target -> attempts counter. */
        final ConcurrentHashMap<String, Counter> attempts = new ConcurrentHashMap<>();
        /** target -> reason -> waits timer. */
        final ConcurrentHashMap<String, ConcurrentHashMap<String, Timer>> waits = new ConcurrentHashMap<>();
        /** from -> to -> counter. */
        final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> fallbacks = new ConcurrentHashMap<>();
        /** target whose breaker it is -> state entered -> counter. */
        final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> transitions = new ConcurrentHashMap<>();
        /** meter name -> tag value -> counter, for the counters with one tag from a fixed set. */
        final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> tagged = new ConcurrentHashMap<>();

        MethodMeters(MeterRegistry registry, String method) {
            this.registry = registry;
            this.tags = tagsOf(method);
            this.success = outcome("success");
            this.successAfterRetry = outcome("success_after_retry");
            this.fallback = outcome("fallback");
            this.failure = outcome("failure");
            this.duration = Timer.builder(DURATION).description("Whole calls, waits and alternatives included")
                    .tags(tags).register(registry);
        }

        private Counter outcome(String outcome) {
            return Counter.builder(CALLS).description("Calls by outcome").tags(tags).tag("outcome", outcome)
                    .register(registry);
        }

        Counter attempts(String target) {
            String t = target == null ? "" : target;
            Counter c = attempts.get(t);
            return c != null ? c : attempts.computeIfAbsent(t, k -> Counter.builder(ATTEMPTS)
                    .description("Attempts made, first ones included").tags(tags).tag("target", k)
                    .register(registry));
        }

        Timer waits(String target, String reason) {
            ConcurrentHashMap<String, Timer> byReason = waits.computeIfAbsent(String.valueOf(target),
                    k -> new ConcurrentHashMap<>());
            String r = String.valueOf(reason);
            Timer t = byReason.get(r);
            return t != null ? t : byReason.computeIfAbsent(r, k -> Timer.builder(WAITS)
                    .description("Waits chosen before retries").tags(tags).tag("target", String.valueOf(target)).tag("reason", k)
                    .register(registry));
        }

        Counter fallback(String from, String to) {
            ConcurrentHashMap<String, Counter> byTo = fallbacks.computeIfAbsent(from, k -> new ConcurrentHashMap<>());
            Counter c = byTo.get(to);
            return c != null ? c : byTo.computeIfAbsent(to, k -> Counter.builder(FALLBACKS)
                    .description("Switches to an alternative").tags(tags).tag("from", from).tag("to", k)
                    .register(registry));
        }

        /**
         * The transitions into {@code state} of the breaker of {@code target}: the primary's (the method's
         * own breaker) or an alternative's, which has its own.
         */
        Counter transitions(String target, String state) {
            ConcurrentHashMap<String, Counter> byState = transitions.computeIfAbsent(String.valueOf(target),
                    k -> new ConcurrentHashMap<>());
            return byState.computeIfAbsent(state, k -> Counter.builder(CIRCUIT_TRANSITIONS)
                    .description("Circuit breaker transitions, by the target whose breaker it is and the state entered")
                    .tags(tags).tag("target", String.valueOf(target)).tag("state", k).register(registry));
        }

        private volatile Timer rateLimitWait;

        /** The rate-limit wait timer, registered on the first wait. */
        Timer rateLimitWait() {
            Timer t = rateLimitWait;
            if (t == null) {
                t = Timer.builder(RATE_LIMIT_WAIT).description("Waits for a rate limit before an attempt")
                        .tags(tags).register(registry);
                rateLimitWait = t;
            }
            return t;
        }

        /** The counter {@code name} of this method with {@code tag = value} (a value from a fixed set). */
        Counter tagged(String name, String tag, String value) {
            String v = String.valueOf(value);
            ConcurrentHashMap<String, Counter> byValue = tagged.computeIfAbsent(name, k -> new ConcurrentHashMap<>());
            Counter c = byValue.get(v);
            return c != null ? c : byValue.computeIfAbsent(v, k -> Counter.builder(name).tags(tags).tag(tag, k)
                    .register(registry));
        }

        /** {@code ChatClient.chat(String)} -> interface=ChatClient, method=chat. */
        static Tags tagsOf(String method) {
            int paren = method.indexOf('(');
            String head = paren < 0 ? method : method.substring(0, paren);
            int dot = head.lastIndexOf('.');
            return Tags.of("interface", dot < 0 ? "" : head.substring(0, dot), "method", head.substring(dot + 1));
        }
    }
}
