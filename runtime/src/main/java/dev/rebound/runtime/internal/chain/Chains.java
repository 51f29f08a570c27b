package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.internal.Alternative;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.RetryPolicy;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * The one factory of executors: turns a {@link MethodSpec} into the method's chain of strategies,
 * once per (class, method); the doors cache what it returns. The order is this code, inside out:
 *
 * <pre>
 *   Fallback( Retry( CircuitBreaker( RateLimit( Timeout( ResultCheck( Invocation ) ) ) ) ),
 *             Retry( CircuitBreaker( RateLimit( Timeout( ResultCheck( Invocation ) ) ) ) ) per alternative )
 * </pre>
 * CircuitBreaker is there only with a breaker (an alternative's own {@code @CircuitBreaker}, its own
 * breaker); RateLimit only with {@code @RateLimit} / {@code withRateLimit}; Timeout and ResultCheck only
 * when the target's policy (or the method's fallback result predicate) asks for them; Invocation is a
 * {@link StreamingInvocation} (the call up to the first token) for a stream; the fallback is a
 * {@link HandlerFallbackStrategy} when a fallback handler decides it.
 *
 * Where the next strategies go (each one class; the rest of the chain does not change):
 * <ul>
 *   <li>a per-attempt timeout: just above {@link Invocation}, inside the breaker (a timed-out attempt
 *       is a failure the breaker records and the retry sees);</li>
 *   <li>a rate limiter: inside the breaker, above the timeout (a refused permit is not the target's
 *       failure: make the breaker's policy not count it), as Retry(CircuitBreaker(RateLimiter(...)));</li>
 *   <li>an observation per attempt: directly around {@link Invocation}, so that a span made current
 *       there has the HTTP client's own spans nested under it; per call: above {@link FallbackStrategy},
 *       as the root;</li>
 *   <li>a result classifier: a strategy just above Invocation that turns an unacceptable result into
 *       a failure, so that breaker, retry and fallback treat it as one;</li>
 *   <li>an asynchronous variant: the same order with strategies returning a CompletionStage; they
 *       share {@link Execution}, {@link FailureHistory}, {@link Events} and the retry rule
 *       ({@link RetryRule#afterFailure}), and schedule waits instead of sleeping.</li>
 * </ul>
 * A strategy that must see the first attempt too (every one above but the breaker) sets
 * {@code inline} to false here: doors then hand every call to the chain instead of running the
 * first attempt themselves.
 *
 * <p>Beside the untraced chain of a method of the common shape, a {@link QuietLoop}: what that chain
 * does after a door's failed first attempt, in one loop, for a call no listener and no tracer observes.
 * A new strategy that it does not do must make {@link QuietLoop#of} refuse the methods that have it.
 */
public final class Chains {

    private Chains() {
    }

    /**
     * Each alternative's chain, as the primary's: its own retry over its (observed) breaker, over its rate
     * limit, over its result check and timeout; {@code breakers} are the alternatives' breakers (null
     * where one has none), shared by the method's traced and untraced chains.
     */
    private static RetryStrategy[] chains(List<Alternative> alternatives, Breaker[] breakers, MethodSpec spec,
            Events events, Predicate<Object> fallbackOnResult, boolean observed, Strategy invocation,
            RetryStrategy primary) {
        RetryStrategy[] chains = new RetryStrategy[alternatives.size()];
        for (int i = 0; i < chains.length; i++) {
            Alternative alt = alternatives.get(i);
            RetryPolicy altRetry = alt.retry();
            Strategy attempt = guarded(spec.name(), altRetry, fallbackOnResult, invocation);
            if (alt.rateLimit() != null) {
                attempt = new RateLimitStrategy(alt.rateLimit(), spec.name(), alt.rateLimitKey(), events, attempt);
            }
            if (breakers[i] != null) {
                attempt = new CircuitBreakerStrategy(breakers[i], attempt);
            }
            chains[i] = new RetryStrategy(altRetry, spec.budgetScope(), events,
                    observed ? new AttemptObservation(attempt) : attempt, primary);
        }
        return chains;
    }

    /** The breaker of each alternative that has one (else null), reported under the alternative's name. */
    private static Breaker[] alternativeBreakers(MethodSpec spec, Events events) {
        List<Alternative> alternatives = spec.alternatives();
        Breaker[] breakers = new Breaker[alternatives.size()];
        for (int i = 0; i < breakers.length; i++) {
            Alternative alt = alternatives.get(i);
            if (alt.circuitBreaker() != null) {
                String shared = spec.fleetMethod() + "/" + alt.fleetName();
                breakers[i] = new Breaker(alt.circuitBreaker(), spec.name(), alt.name(), shared,
                        CircuitBreakerStrategy.reporting(events, alt.name(), shared, alt.circuitBreaker()),
                        spec.settings() == null);
            }
        }
        return breakers;
    }

    /**
     * One attempt under {@code retry}: the invocation, under a result check when a predicate judges
     * results, under a timeout when the policy has one (the timeout covers the check).
     */
    private static Strategy guarded(String method, RetryPolicy retry, Predicate<Object> fallbackOnResult,
            Strategy invocation) {
        Strategy s = invocation;
        if (retry.resultPredicate() != null || fallbackOnResult != null) {
            s = new ResultCheckStrategy(method, retry.resultPredicate(), fallbackOnResult, s);
        }
        if (retry.attemptTimeoutNanos() > 0L) {
            s = new TimeoutStrategy(method, retry.attemptTimeoutNanos(), s);
        }
        return s;
    }

    /**
     * Warns, once per pair, that {@code outer} retries around {@code inner}, which retries too: for what
     * a door can tell before any call (a wrapper's retry over an object that applies its own).
     */
    public static void warnNestedRetries(String outer, int outerAttempts, String inner, int innerAttempts) {
        if (outerAttempts > 1 && innerAttempts > 1) {
            NestedRetries.warnOnce(outer, outerAttempts, inner, innerAttempts);
        }
    }

    /**
     * Whether {@code future} is the future Rebound returned for one asynchronous call ({@link AsyncCall}),
     * whose cancel ends that call only (its attempt in flight, its wait, its retries), not a stage of a
     * target's or a caller's that others may hold too.
     */
    public static boolean isResilientCall(Future<?> future) {
        return future instanceof AsyncCall;
    }

    /**
     * The spec {@code method} was built from, when this factory built it ({@link #executorOf}); else null.
     * Read at resolution, never per call.
     */
    public static MethodSpec specOf(ResilientMethod method) {
        return method instanceof MethodExecutor ? ((MethodExecutor) method).spec : null;
    }

    /** The executor of {@code spec}: what the doors call. */
    public static ResilientMethod executorOf(MethodSpec spec) {
        Events events = new Events(spec.name(), spec.primaryName(), spec.settings());
        boolean live = spec.settings() == null;
        // traced: settings with a tracer, or the global ones (read live: a tracer may be set later); the
        // global ones get both chains, and each call takes the one its settings need
        boolean traced = live || spec.settings().tracer() != null;
        Breaker breaker = null;
        if (spec.circuitBreaker() != null) {
            breaker = new Breaker(spec.circuitBreaker(), spec.name(), spec.primaryName(), spec.fleetName(),
                    CircuitBreakerStrategy.reporting(events, spec.primaryName(), spec.fleetName(), spec.circuitBreaker()),
                    live);
        }
        Breaker[] alternativeBreakers = alternativeBreakers(spec, events);
        // one attempt on the primary: the target's call, or for a stream, its call up to the first token;
        // for a result read as a plain Object that a policy judges, the WARN that it was a future
        Strategy invocation = spec.shape() == CallShape.STREAM
                ? new StreamingInvocation(spec.handlerIndex(), events) : Invocation.INSTANCE;
        if (UnboundFutureWarning.applies(spec)) {
            invocation = new UnboundFutureWarning(spec, invocation);
        }
        Chain plain = live || !traced ? new Chain(spec, events, breaker, alternativeBreakers, invocation, false) : null;
        Chain observed = traced ? new Chain(spec, events, breaker, alternativeBreakers, invocation, true) : null;
        Chain any = plain != null ? plain : observed;
        // fixed settings with a tracer: the first attempt's observation must be current while it runs
        boolean inline = any.inline && plain != null;
        // the failure path of the common shape, for calls nobody observes: beside the untraced chain
        QuietLoop quiet = inline && plain != null ? QuietLoop.of(spec, plain.primary, plain.alternativeRetries) : null;
        MethodExecutor executor = new MethodExecutor(spec, events, breaker, any.primary,
                plain == null ? null : plain.root, observed == null ? null : observed.root, inline, quiet);
        NestedRetries.register(spec.runsIn(), spec.methodName(), executor);
        return executor;
    }

    /** One chain of a method: traced (observations per call and attempt) or not. */
    private static final class Chain {
        final RetryStrategy primary;
        final Strategy root;
        /** Each alternative's retry, when it is the top of the alternative's chain (an untraced one). */
        final RetryStrategy[] alternativeRetries;
        /** Whether a door may run the first attempt itself: no strategy of this chain must see it. */
        final boolean inline;

        Chain(MethodSpec spec, Events events, Breaker breaker, Breaker[] alternativeBreakers, Strategy invocation,
                boolean observed) {
            // a warning on the result must see the first attempt's too
            boolean inline = !(invocation instanceof UnboundFutureWarning);
            // result check and timeout just above the invocation
            Predicate<Object> fallbackOnResult = spec.fallbackOnResult();
            Strategy attempt = guarded(spec.name(), spec.retry(), fallbackOnResult, invocation);
            if (attempt != invocation) {
                inline = false; // both must see the first attempt
            }
            if (spec.rateLimit() != null) {
                // inside the breaker (an open breaker spends no quota; a refusal is not the target's failure),
                // under the retry (each attempt is a request), above the timeout; it must see the first attempt
                attempt = new RateLimitStrategy(spec.rateLimit(), spec.name(), spec.rateLimitKey(), events, attempt);
                inline = false;
            }
            if (breaker != null) {
                attempt = new CircuitBreakerStrategy(breaker, attempt);
            }
            if (observed) {
                attempt = new AttemptObservation(attempt); // around the breaker: a refused attempt is traced too
            }

            // the primary's attempts
            RetryStrategy primary = new RetryStrategy(spec.retry(), spec.budgetScope(), events, attempt);

            // the alternatives, each with its own retry
            Strategy root = primary;
            List<Alternative> alternatives = spec.alternatives();
            RetryStrategy[] alternativeRetries = chains(alternatives, alternativeBreakers, spec, events,
                    fallbackOnResult, observed, invocation, primary);
            if (spec.fallbackHandler() != null) {
                root = new HandlerFallbackStrategy(spec, primary, alternatives.toArray(new Alternative[0]),
                        alternativeRetries, events);
            } else if (!alternatives.isEmpty()) {
                root = new FallbackStrategy(spec.fallbackRule(), primary, alternatives.toArray(new Alternative[0]),
                        alternativeRetries, events);
            }
            this.alternativeRetries = alternativeRetries;
            if (observed) {
                root = new CallObservation(spec.name(), root);
            }
            this.primary = primary;
            this.root = root;
            this.inline = inline;
        }
    }
}
