package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.FallbackHandler;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.Alternative;
import dev.rebound.runtime.internal.FallbackRule;
import dev.rebound.runtime.internal.Repetition;
import java.lang.reflect.Method;
import java.lang.reflect.TypeVariable;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Everything one method applies, already validated: the primary's retry and circuit breaker, the
 * fallback rule and chain, the settings. Immutable. Made from annotations (AnnotationPolicies) or
 * from {@code Rebound.wrap}'s builder, and turned into the method's executor by
 * {@link Chains#executorOf}, the only place that builds one.
 */
public final class MethodSpec {

    private final String name;
    private final String primaryName;
    private final RetryPolicy retry;
    private final CircuitBreakerPolicy circuitBreaker;
    private final FallbackRule fallbackRule;
    private final List<Alternative> alternatives;
    private final ReboundSettings settings;
    private final String budgetScope;
    private final CallShape shape;
    /** The declaring generic type's simple name when the result is a type variable read as Object; else null. */
    private final String unboundResultOf;
    private final int handlerIndex;
    private final Class<?> runsIn;
    /** The method's parameter count; -1 when the builder was not told the method ({@link Builder#shapeOf}). */
    private final int parameterCount;
    private final String method;
    private final Predicate<Object> fallbackOnResult;
    private final FallbackHandler fallbackHandler;

    private final RateLimitPolicy rateLimit;
    private final String rateLimitKey;
    private final String fleetMethod;
    private final String fleetTarget;
    private final String fleetName;

    private MethodSpec(Builder b) {
        this.fallbackOnResult = b.fallbackOnResult;
        this.fallbackHandler = b.fallbackHandler;
        this.shape = b.shape;
        this.unboundResultOf = b.unboundResultOf;
        this.handlerIndex = b.handlerIndex;
        this.parameterCount = b.parameterCount;

        this.name = b.name;
        this.primaryName = b.primaryName;
        this.retry = b.retry;
        this.circuitBreaker = b.circuitBreaker;
        this.fallbackRule = b.fallbackRule;
        this.alternatives = List.copyOf(b.alternatives);
        this.settings = b.settings;
        this.budgetScope = b.budgetScope != null ? b.budgetScope : b.name;
        this.runsIn = b.runsIn;
        this.method = b.method;
        this.rateLimit = b.rateLimit;
        this.fleetMethod = b.fleetMethod != null ? b.fleetMethod : b.name;
        this.fleetTarget = b.fleetTarget != null ? b.fleetTarget : b.implementation != null
                ? dev.rebound.runtime.internal.AnnotationLookup.qualifiedName(b.implementation) : b.primaryName;
        this.fleetName = fleetMethod + "/" + fleetTarget;
        this.rateLimitKey = b.rateLimit == null ? null
                : dev.rebound.runtime.internal.RateLimits.keyOf(b.rateLimit, this.budgetScope);
    }

    /**
     * @param name the method, as {@code ChatClient.chat(String)}
     * @param primaryName how events name the primary target
     */
    public static Builder builder(String name, String primaryName) {
        return new Builder(name, primaryName);
    }

    public String name() {
        return name;
    }

    public String primaryName() {
        return primaryName;
    }

    /** The primary's retry; {@link RetryPolicy#none()} for one attempt. */
    public RetryPolicy retry() {
        return retry;
    }

    /** The primary's circuit breaker, or null. */
    public CircuitBreakerPolicy circuitBreaker() {
        return circuitBreaker;
    }

    public FallbackRule fallbackRule() {
        return fallbackRule;
    }

    /** The alternatives, in order. */
    public List<Alternative> alternatives() {
        return alternatives;
    }

    /** Fixed settings, or null to read {@link ReboundSettings#global()} live. */
    public ReboundSettings settings() {
        return settings;
    }

    /** The primary's rate limit, or null. */
    public RateLimitPolicy rateLimit() {
        return rateLimit;
    }

    /** The key the rate limit is kept under: its own, or the interface's name; null without one. */
    public String rateLimitKey() {
        return rateLimitKey;
    }

    /**
     * The method as the fleet names it ({@code com.acme.Chat.chat(java.lang.String)}): fully qualified, the
     * same on every instance; the spec's name unless the builder was told ({@link Builder#sharedAs}).
     */
    public String fleetMethod() {
        return fleetMethod;
    }

    /**
     * The name the fleet shares the primary's circuit breaker's open state under, {@code <method>/<target>}
     * ({@link dev.rebound.runtime.ratelimit.SharedCircuitState}): the fleet's method, and the wrapper's name
     * when it was given one, else the binary name of the class or interface events name the target by (a lambda's
     * up to {@code $$Lambda}; through Guice's {@code ReboundModule.wrapping}, with its binding's qualifier).
     */
    public String fleetName() {
        return fleetName;
    }

    /** The target part of {@link #fleetName()}: what follows the fleet's method and its {@code /}. */
    public String fleetTarget() {
        return fleetTarget;
    }

    /** Whose retry budget an unnamed one is (the interface's name). */
    public String budgetScope() {
        return budgetScope;
    }

    /** The class whose code the primary runs (as stack frames show it), or null when unknown. */
    public Class<?> runsIn() {
        return runsIn;
    }

    /** Rejects any target's result to go to the alternatives at once; null for none. */
    public Predicate<Object> fallbackOnResult() {
        return fallbackOnResult;
    }

    /** Decides the fallback instead of walking the alternatives in order; null for none. */
    public FallbackHandler fallbackHandler() {
        return fallbackHandler;
    }

    /** The method's name, as stack frames show it. */
    public String methodName() {
        return method;
    }

    /** How the method delivers its outcome; {@link CallShape#SYNC} unless the builder was told. */
    public CallShape shape() {
        return shape;
    }

    /**
     * When the method's declared result is a type variable nothing binds where it is wrapped, read as a
     * plain {@code Object} (a generic {@code Step<I, O>}'s {@code O invoke(I)} over a lambda): the simple
     * name of the type that declares it, {@code "Step"}; else null.
     */
    public String unboundResultOf() {
        return unboundResultOf;
    }

    /** For {@link CallShape#STREAM}: the index of the handler parameter. */
    public int handlerIndex() {
        return handlerIndex;
    }

    /**
     * How many parameters the method has, for reading its arguments where a door holds them
     * ({@link dev.rebound.runtime.spi.Invoker#argumentsInPlace}); -1 when the builder was not told the method.
     */
    public int parameterCount() {
        return parameterCount;
    }

    /** Builds a {@link MethodSpec}. */
    public static final class Builder {
        private final String name;
        private final String primaryName;
        private RetryPolicy retry = RetryPolicy.none();
        private CircuitBreakerPolicy circuitBreaker;
        private FallbackRule fallbackRule = FallbackRule.ANY_EXCEPTION;
        private List<Alternative> alternatives = List.of();
        private ReboundSettings settings;
        private String budgetScope;
        private CallShape shape = CallShape.SYNC;
        private int handlerIndex = -1;
        private int parameterCount = -1;
        private String unboundResultOf;
        private Class<?> implementation;
        private Class<?> runsIn;
        private String method;
        private Predicate<Object> fallbackOnResult;
        private FallbackHandler fallbackHandler;
        private RateLimitPolicy rateLimit;
        private String fleetMethod;
        private String fleetTarget;

        private Builder(String name, String primaryName) {
            this.name = Objects.requireNonNull(name, "name");
            this.primaryName = Objects.requireNonNull(primaryName, "primaryName");
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** The primary's circuit breaker; null for none. */
        public Builder circuitBreaker(CircuitBreakerPolicy circuitBreaker) {
            this.circuitBreaker = circuitBreaker;
            return this;
        }

        public Builder fallbacks(FallbackRule rule, List<Alternative> alternatives) {
            this.fallbackRule = Objects.requireNonNull(rule, "rule");
            this.alternatives = Objects.requireNonNull(alternatives, "alternatives");
            return this;
        }

        /** Fixed settings; null (the default) reads the global ones live. */
        public Builder settings(ReboundSettings settings) {
            this.settings = settings;
            return this;
        }

        /** The primary's rate limit; null for none. */
        public Builder rateLimit(RateLimitPolicy rateLimit) {
            this.rateLimit = rateLimit;
            return this;
        }

        public Builder budgetScope(String budgetScope) {
            this.budgetScope = budgetScope;
            return this;
        }

        /**
         * Where the primary's code runs: {@code method} on instances of {@code implementation}, the user's class,
         * whose code runs in that class or, for a default method it inherits, in the interface that declares it
         * ({@link dev.rebound.runtime.internal.MethodScan#runsIn}), so that a retry nested inside it is recognised
         * (see NestedRetries). The fleet names the primary by {@code implementation} unless told otherwise.
         */
        public Builder runsIn(Class<?> implementation, Method method) {
            this.implementation = implementation;
            this.runsIn = dev.rebound.runtime.internal.MethodScan.runsIn(implementation, method);
            this.method = method.getName();
            return this;
        }

        /**
         * How the fleet names the method and the primary ({@link MethodSpec#fleetName()}): {@code method}
         * fully qualified; {@code target} the wrapper's given name, or the class or interface its door names the
         * target by ({@code AnnotationLookup.qualifiedName(Class, Class)}), or null for the implementation's
         * ({@code AnnotationLookup.qualifiedName(Class)}).
         */
        public Builder sharedAs(String method, String target) {
            this.fleetMethod = Objects.requireNonNull(method, "method");
            this.fleetTarget = target;
            return this;
        }

        /** See {@link MethodSpec#fallbackOnResult()}; null for none. */
        public Builder fallbackOnResult(Predicate<Object> predicate) {
            this.fallbackOnResult = predicate;
            return this;
        }

        /** See {@link MethodSpec#fallbackHandler()}; null for none. */
        public Builder fallbackHandler(FallbackHandler handler) {
            this.fallbackHandler = handler;
            return this;
        }

        /**
         * The shape of {@code method} called on instances of {@code owner} ({@link CallShape#of}): a
         * CompletionStage result or a streaming handler runs asynchronously.
         */
        public Builder shapeOf(Class<?> owner, java.lang.reflect.Method method) {
            this.shape = CallShape.of(owner, method);
            this.handlerIndex = shape == CallShape.STREAM ? CallShape.handlerIndex(method) : -1;
            this.parameterCount = method.getParameterCount();
            this.unboundResultOf = method.getGenericReturnType() instanceof TypeVariable<?>
                    && shape == CallShape.SYNC && Repetition.resultType(owner, method) == Object.class
                    ? method.getDeclaringClass().getSimpleName() : null;
            return this;
        }

        public MethodSpec build() {
            return new MethodSpec(this);
        }
    }
}
