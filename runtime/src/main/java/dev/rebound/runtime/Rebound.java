package dev.rebound.runtime;

import dev.rebound.runtime.internal.DoorReach;
import dev.rebound.runtime.internal.FallbackRule;
import dev.rebound.runtime.spi.GeneratedWrapper;
import dev.rebound.runtime.rules.FailureType;
import dev.rebound.runtime.rules.FallbackRules;
import dev.rebound.runtime.rules.Rules;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Makes any implementation of an interface resilient, for objects that annotations can't reach
 * (an AiServices proxy, a langchain4j model made by its builder). Mirrors LangChain's
 * {@code with_retry} / {@code with_fallbacks}:
 *
 * <pre>{@code
 * ChatClient llm = Rebound.wrap(ChatClient.class, gpt4)
 *     .withRetry(RetryPolicy.builder().attempts(2).jitter(true).build())
 *     .withCircuitBreaker(CircuitBreakerPolicy.builder().build())
 *     .withFallbacks(gpt35, gpt35With16k)
 *     .build();
 * }</pre>
 *
 * <p>Without builder policies ({@code withRetry}, {@code withCircuitBreaker}, {@code withRateLimit},
 * {@code withFallbacks}, {@code withFallbackHandler}, {@code fallbackOnResult}), {@code build()}
 * applies the {@code @Retry}, {@code @CircuitBreaker}, {@code @RateLimit} and {@code @Fallback}
 * annotations found on {@code type} (and on the target's class: behind a container's proxy, the class it
 * proxies, as Spring's proxies say it; a JDK proxy that does not say hides it, and a WARN line says so when
 * {@code type} carries no policy either). With any of them, the builder's
 * policies replace all of those annotations for every method of {@code type} (a WARN line names the
 * annotations it does not apply; each method gets its own breaker, shared by every caller of this
 * wrapper), and the fallbacks are called as they are: one that applies a policy of its own (woven,
 * intercepted by Guice, a wrapper of any door) applies it, once, as when called directly; one no door
 * reaches gets its class's own {@code @Retry}, {@code @CircuitBreaker} and {@code @RateLimit} from the
 * engine, as a {@code @Fallback.to} alternative does; wrap the others first to give them a retry, as
 * LangChain's {@code secondary.with_retry(...)}.
 * {@code fallbackOn}, {@code named}, {@code settings} and {@code viaJdkProxy} replace nothing:
 * {@code fallbackOn} narrows the builder's own fallbacks and is refused without them. Methods without a policy, methods whose failures arrive after they return
 * (see {@link Builder#build()}), and Object's methods go straight to the target.
 */
public final class Rebound {

    private Rebound() {
    }

    /**
     * Starts a wrapper of {@code target} seen as {@code type}.
     *
     * @throws NullPointerException if either is null
     * @throws IllegalArgumentException if {@code type} is not an interface, is a sealed one (only the
     *     classes it permits may implement it, so no wrapper can), or {@code target} is not one
     */
    public static <T> Builder<T> wrap(Class<T> type, T target) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        if (!type.isInterface()) {
            throw new IllegalArgumentException("Rebound.wrap: type " + type.getName()
                    + " must be an interface (wrap works through a JDK proxy)");
        }
        String unwrappable = dev.rebound.runtime.spi.Policies.unwrappable(type);
        if (unwrappable != null) {
            throw new IllegalArgumentException("Rebound.wrap: " + unwrappable);
        }
        if (!type.isInstance(target)) {
            throw new IllegalArgumentException("Rebound.wrap: target " + target.getClass().getName()
                    + " does not implement " + type.getName());
        }
        return new Builder<>(type, target);
    }

    /**
     * Whether {@code object} applies at least one Rebound policy to at least one of its methods. Use it in a
     * test to prove that a policy you wrote is attached:
     * <ul>
     * <li>a {@code Rebound.wrap} wrapper (a JDK proxy or a generated class): true when it applies a policy to
     * at least one method; false for one that applies none, as one over an interface without annotations
     * and a JDK proxy that hides the annotated class behind it ({@code build()} says so at WARN);
     * <li>an instance of a woven class, or a constant of a woven enum: true when the class carries a policy
     * (the weaver marks only those);
     * <li>an instance that Guice's {@code ReboundModule} intercepts (a subclass the injector generated with
     * Rebound's interceptor): true; an instance another injector subclassed for interceptors of its own: false, unless its class is woven;
     * <li>a container's proxy that says the class behind it (Spring's, JDK or CGLIB) over one of these: as that
     * object, whichever interfaces the proxy implements;
     * <li>a lambda, a hidden class, a JDK proxy no door made, a class no door reached: false.
     * </ul>
     * It reads a mark or a flag the door set when it made the object or wove its class: no reflection over
     * its methods.
     *
     * @return false for null
     */
    public static boolean isResilient(Object object) {
        return DoorReach.appliesPolicy(object);
    }

    /**
     * Whether {@code wrapper} is a {@code Rebound.wrap} wrapper made from the class that the weaver's
     * annotation processor generated for its interface ({@code app.Chat$$Rebound}: direct calls, no
     * argument array), rather than a JDK proxy (the same policy, a few nanoseconds and an argument array
     * more per call). The processor generates that class for every interface that carries a Rebound annotation or
     * {@code @GenerateWrapper}, when the weaver is on the compiler's processor path; see the
     * {@code Rebound.wrap} guide. The {@code dev.rebound} logger says at DEBUG, once per interface, which
     * one {@code Rebound.wrap} uses and why.
     *
     * @return false for null and for anything else
     */
    public static boolean isGenerated(Object wrapper) {
        return wrapper instanceof GeneratedWrapper;
    }

    /** Configures one wrapper. Not thread-safe; the wrapper it builds is. */
    public static final class Builder<T> {
        private final Class<T> type;
        private final T target;
        private RetryPolicy retry;
        private CircuitBreakerPolicy breaker;
        private RateLimitPolicy rateLimit;
        private List<T> fallbacks;
        private FallbackRule fallbackRule = FallbackRule.ANY_EXCEPTION;
        private ReboundSettings settings;
        private String name;
        private final List<java.util.function.Predicate<Object>> fallbackOnResult = new ArrayList<>();
        private FallbackHandler fallbackHandler;
        private boolean jdkProxy;

        private Builder(Class<T> type, T target) {
            this.type = type;
            this.target = target;
        }

        /**
         * The retry for the target; replaces the annotations, and any earlier {@code withRetry}.
         *
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder<T> withRetry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * A circuit breaker on the target, inside the retry; replaces the annotations, and any earlier
         * {@code withCircuitBreaker}. Each method of the wrapper gets its own breaker state.
         *
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder<T> withCircuitBreaker(CircuitBreakerPolicy policy) {
            this.breaker = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * A rate limit on the target, taken before each attempt (inside the retry and the breaker);
         * replaces the annotations, and any earlier {@code withRateLimit}. A call the limit would hold
         * back longer than its maxDelay (or past the retry's maxDuration) goes to the fallbacks at once.
         * Every method of the wrapper, and every other method naming the policy's key, draws on one limit.
         *
         * @throws NullPointerException if {@code policy} is null
         */
        public Builder<T> withRateLimit(RateLimitPolicy policy) {
            this.rateLimit = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Alternatives, in priority order, called as they are once the target's attempts are spent: an
         * alternative that applies a policy of its own (a woven class, one Guice intercepts, a wrapper made by
         * {@code Rebound.wrap} or {@code ReboundModule.wrapping}) applies it, once; the builder adds none. One
         * that no door reaches, whose class carries its own {@code @Retry}, {@code @CircuitBreaker} or
         * {@code @RateLimit}, would have nothing apply them: the engine does, as for a {@code @Fallback.to}
         * alternative ({@link #withRetry} stays the target's), and {@link #build()} refuses their bad values.
         * Alternatives that would be named alike in events, or in a fleet's shared breakers (two instances of
         * one class, one of the target's class), are told apart by their position in the list, from 1
         * ({@code Backend#1}, {@code Backend#2}): each has its own breaker, in-process and in the fleet.
         * Replaces the annotations, and any earlier {@code withFallbacks} list (they are not added to it).
         * {@code withFallbacks()} = none. Without a {@link #withRetry} of more than one attempt,
         * {@link #build()} logs one WARN per wrapped interface ({@code Rebound.wrap(Chat) has withFallbacks but no
         * withRetry: ...}; silenced by {@code -Drebound.warnFallbackWithoutRetry=false}).
         *
         * @throws NullPointerException if the array or an element is null
         * @throws IllegalArgumentException if an alternative is the target itself, appears twice or (through a
         *     raw builder) does not implement the interface
         */
        @SafeVarargs
        public final Builder<T> withFallbacks(T... alternatives) {
            Objects.requireNonNull(alternatives, "alternatives");
            List<T> list = new ArrayList<>();
            for (int i = 0; i < alternatives.length; i++) {
                T alt = Objects.requireNonNull(alternatives[i], "alternatives[" + i + "]");
                if (!type.isInstance(alt)) { // a raw builder or an unchecked cast: else a ClassCastException per call
                    Rules.require(FallbackRules.doesNotImplement("alternatives[" + i + "]", alt.getClass().getName(),
                            type.getName()));
                }
                if (alt == target) {
                    Rules.require(FallbackRules.isTheTarget("alternatives", "alternatives[" + i + "]"));
                }
                for (T earlier : list) {
                    if (earlier == alt) {
                        Rules.require(FallbackRules.listedTwice("alternatives", "alternatives[" + i + "]"));
                    }
                }
                list.add(alt);
            }
            this.fallbacks = list;
            return this;
        }

        /**
         * Fall back only on these failures (default: any Exception), to the {@link #withFallbacks} alternatives
         * or the {@link #withFallbackHandler} handler; {@link #build()} refuses it without either (it never
         * adjusts the annotations' {@code @Fallback}). Replaces any earlier {@code fallbackOn} list.
         *
         * @throws NullPointerException if the array or an element is null
         * @throws IllegalArgumentException if a type can never reach a fallback (an Error, an InterruptedException)
         */
        @SafeVarargs
        public final Builder<T> fallbackOn(Class<? extends Throwable>... types) {
            List<Class<? extends Throwable>> on = Rules.nonNull("fallbackOn", types);
            Rules.require(FailureType.problems("fallbackOn", FailureType.of(on), "skipOn", List.of(),
                    FailureType.Action.CAUGHT));
            this.fallbackRule = new FallbackRule(on, List.of());
            return this;
        }

        /**
         * Go to the alternatives at once, without retrying, when {@code predicate} rejects a target's
         * result (the target's and every alternative's): a {@link RejectedResultException} carrying it
         * is that target's failure (event {@code RESULT_REJECTED}, then {@code RETRIES_EXHAUSTED} with
         * reason {@code "result-rejected"}). When no target returns an accepted result, the caller gets
         * the primary's RejectedResultException, the alternatives' suppressed on it. Each call adds a
         * predicate. E.g. {@code ChatResults.truncated()}: a cut-off answer goes to the larger model.
         * It covers every method of the interface: {@link #build()} names at WARN the methods whose
         * declared result it can never judge (its class's {@code Predicate<T>}, or the
         * {@code ChatResponse} that {@code ChatResults.truncated()} reads, against {@code chat(String)}'s
         * {@code String}) and refuses it when it can judge none.
         *
         * @throws NullPointerException if {@code predicate} is null
         */
        @SuppressWarnings("unchecked")
        public Builder<T> fallbackOnResult(java.util.function.Predicate<?> predicate) {
            fallbackOnResult.add((java.util.function.Predicate<Object>) Objects.requireNonNull(predicate, "predicate"));
            return this;
        }

        /**
         * A handler that decides the fallback once the target has failed for good (see
         * {@link FallbackHandler}): it gets the failure, the history and the arguments, and may answer,
         * call one of {@link #withFallbacks} alternatives by class with other arguments, or throw.
         * Replaces the annotations, and any earlier {@code withFallbackHandler}. Without a {@link #withRetry}
         * of more than one attempt, {@link #build()} logs one WARN per wrapped interface, as for
         * {@link #withFallbacks} ({@code Rebound.wrap(Chat) has withFallbackHandler but no withRetry: ...}).
         *
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder<T> withFallbackHandler(FallbackHandler handler) {
            this.fallbackHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * How events and logs name the target (default: its simple class name), e.g. "gpt-4" when
         * several models share one class. Also the name this wrapper has when it is another's fallback,
         * and, with a store that shares circuit breakers with a fleet (Redis), the target's part of the
         * name its breakers' open state is shared under (default: the target's fully qualified class
         * name, so two wrappers of one class without a name share it, which their {@link #build()} warns
         * about).
         *
         * @throws NullPointerException if {@code name} is null (naming {@code named})
         * @throws IllegalArgumentException if blank: {@code named = " " is blank}
         */
        public Builder<T> named(String name) {
            Rules.require(Rules.notBlank("named", Objects.requireNonNull(name, "named")));
            this.name = name;
            return this;
        }

        /**
         * Makes the wrapper a JDK proxy even when the weaver's annotation processor generated a class for
         * the interface (the default uses that class when there is one: see {@link Rebound#isGenerated}).
         * The same policy, through {@code InvocationHandler} and reflection: for comparisons and
         * diagnostics.
         */
        public Builder<T> viaJdkProxy() {
            this.jdkProxy = true;
            return this;
        }

        /**
         * The settings for this wrapper (clock, listeners, jitter, alternatives, rate limit store);
         * default: {@link ReboundSettings#global()}, read live.
         *
         * @throws NullPointerException if {@code settings} is null
         */
        public Builder<T> settings(ReboundSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * The resilient wrapper. A method declared to return {@code CompletionStage} or
         * {@code CompletableFuture}, and a {@code void} method that streams to a langchain4j
         * {@code StreamingChatResponseHandler}, gets the builder's whole policy, run on its future or
         * its stream. Like a type-level annotation, the builder's policy skips the methods whose failures
         * arrive after they return, which pass straight to the target: those returning a {@code Stream}
         * (any {@code BaseStream}), a {@code Flow.Publisher} or Reactive Streams {@code Publisher}, a
         * langchain4j {@code TokenStream}, or a {@code Future} or {@code CompletionStage} declared as any
         * other type (a plain {@code Future}, a subclass of {@code CompletableFuture}); one WARN on
         * {@code dev.rebound} names them, and builder policies that reach no method at all, every
         * method being skipped, are refused. The result type
         * is the one the target's class returns, a type variable its interfaces bind resolved
         * ({@code T run()} of {@code Task<T>} returns a future on a class implementing
         * {@code Task<CompletableFuture<String>>}).
         *
         * @throws ReboundConfigurationException listing every problem of every method: invalid
         *     annotations on {@code type}, a retry or fallback on a {@code @NonIdempotent} method
         *     that does not name the failures it acts on, a retry policy naming a budget defined
         *     with other values, a rate limit naming a key defined with other limits (or without
         *     Bucket4j on the class path), {@code fallbackOn} without alternatives or a fallback handler to
         *     act on, {@code withRateLimit} or {@code withFallbackHandler} over a method returning a
         *     {@code CompletionStage} or streaming to a handler, a result predicate over a streaming
         *     method, a result predicate that can judge no method's declared result (and annotations
         *     naming one on such a method), builder policies that reach no method of {@code type} (naming the methods skipped
         *     and why), or, on the module path, a {@code type} whose package is not
         *     exported (for a non-public interface: opened) to {@code dev.rebound.runtime}: the message
         *     gives the {@code module-info} line that fixes it
         */
        public T build() {
            return new WrapAssembly<>(type, target, name, settings, retry, breaker, rateLimit, fallbacks, fallbackRule,
                    List.copyOf(fallbackOnResult), fallbackHandler, jdkProxy).build();
        }
    }
}
