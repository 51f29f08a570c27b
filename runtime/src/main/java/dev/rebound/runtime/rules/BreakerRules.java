package dev.rebound.runtime.rules;

import static dev.rebound.runtime.rules.Rules.add;
import static dev.rebound.runtime.rules.Rules.notNegative;
import static dev.rebound.runtime.rules.Rules.problem;

import dev.rebound.annotations.CircuitBreaker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The bounds of a circuit breaker ({@code @CircuitBreaker}, {@code CircuitBreakerPolicy.Builder}). Each
 * rule takes the attribute's name as its reader knows it and returns the problem, or null when fine.
 */
public final class BreakerRules {

    /** The largest window accepted. */
    public static final int MAX_REQUEST_VOLUME = 10_000;

    /** The longest a breaker stays open, in days: its reopening time (now + delay) cannot overflow. */
    public static final int MAX_DELAY_DAYS = 365;

    private static final TimeAmount MAX_DELAY = new TimeAmount(MAX_DELAY_DAYS, TimeUnit.DAYS);

    private BreakerRules() {
    }

    /** The rolling window: 1..{@value #MAX_REQUEST_VOLUME} attempts. */
    public static String requestVolumeThreshold(String attribute, int attempts) {
        return attempts < 1 || attempts > MAX_REQUEST_VOLUME
                ? problem(attribute, attempts, "is outside 1.." + MAX_REQUEST_VOLUME) : null;
    }

    /** The share of failures that opens the breaker: more than 0, at most 1. */
    public static String failureRatio(String attribute, double ratio) {
        return !(ratio > 0.0 && ratio <= 1.0) ? problem(attribute, ratio, "must be more than 0 and at most 1") : null;
    }

    /** How long the breaker stays open: at least 0, at most {@value #MAX_DELAY_DAYS} days. */
    public static String delay(String attribute, TimeAmount delay) {
        String negative = notNegative(attribute, delay);
        if (negative != null) {
            return negative;
        }
        return delay.toNanos() > MAX_DELAY.toNanos() ? problem(attribute, delay, "is above " + MAX_DELAY) : null;
    }

    /**
     * Two wrappers without a name ({@code Rebound.wrap} over objects of one class, or lambdas of one outer
     * class) whose settings share circuit breakers with the fleet (a Redis store): the fleet names a
     * breaker by method and target class, so theirs share one open state. A warning, said once per name.
     *
     * @param method the method, fully qualified ({@code com.acme.Chat.chat(java.lang.String)})
     * @param target the target's binary name ({@code com.acme.HttpChat})
     */
    public static String sharedInTheFleet(String method, String target) {
        return sharedInTheFleet(method, target, false);
    }

    /**
     * As {@link #sharedInTheFleet(String, String)}; {@code bindings}: one of the wrappers, or more, is Guice's
     * {@code ReboundModule.wrapping}'s over a binding without a qualifier (a binding annotation), whose remedy is
     * said too: a qualifier of its own, which the fleet names its breakers with.
     */
    public static String sharedInTheFleet(String method, String target, boolean bindings) {
        return sharedInTheFleet(method, target, bindings, false);
    }

    /**
     * As {@link #sharedInTheFleet(String, String, boolean)}; {@code intercepted}: one of them, or more, is a class
     * that Guice's {@code ReboundModule} intercepts (two injectors, or two private modules, construct it) and that
     * no binding qualifier names, whose remedy is said too: a qualified binding of its own per module.
     */
    public static String sharedInTheFleet(String method, String target, boolean bindings, boolean intercepted) {
        return "another wrapper built without a name" + (intercepted ? " (or class an injector intercepts)" : "")
                + " shares the fleet-wide circuit breaker of " + method + " on "
                + target + " with this one: an opening of either opens both, on every instance that shares the"
                + " store; give each wrapper its own name with Rebound.wrap(...).named(...)"
                + (bindings ? ", and each binding ReboundModule.wrapping wraps a qualifier of its own"
                        + " (bind(...).annotatedWith(Names.named(...))), which the fleet names its breakers with" : "")
                + (intercepted ? ", and bind each class an injector intercepts " + PER_BINDING : "");
    }

    /** How a class Guice constructs gets a breaker of its own per binding, named with the binding's qualifier. */
    private static final String PER_BINDING = "in a PrivateModule of its own per binding, under a qualifier"
            + " (bind(...).annotatedWith(Names.named(...)).to(Impl.class), and bind(Impl.class) there), which names"
            + " its breakers in events and in the fleet";

    /**
     * A class Guice's {@code ReboundModule} intercepts that one injector constructs for several qualified bindings
     * (two bindings {@code @Named(openai)} and {@code @Named(anthropic)} linked to it in one injector, to one type of
     * it or to a type argument each, or in private modules that leave it to their parent): its breakers are one, in
     * the process and in the fleet, named by the class alone. A warning, said once.
     *
     * @param methods the methods with a breaker, as events name them ({@code Chat.chat(String)})
     * @param impl the class, as events name it
     * @param bindings the bindings, as events would name them ({@code Chat@Named(openai)})
     */
    public static String sharedByBindings(List<String> methods, String impl, List<String> bindings) {
        return String.join(", ", methods) + ": the bindings " + String.join(" and ", bindings) + " lead to " + impl
                + ", which the injector constructs and intercepts once for all of them: they share its"
                + " circuit breaker, in the process and in the fleet, and events name each " + impl + "; bind " + impl
                + " " + PER_BINDING;
    }

    /**
     * Every problem of one {@code @CircuitBreaker}, its attributes named {@code @CircuitBreaker.<member>};
     * reads only the primitive members, the failure lists come as {@link FailureType}s.
     */
    public static List<String> check(CircuitBreaker cb, List<FailureType> on, List<FailureType> skipOn) {
        List<String> problems = new ArrayList<>();
        add(problems, requestVolumeThreshold("@CircuitBreaker.requestVolumeThreshold",
                cb.requestVolumeThreshold()));
        add(problems, failureRatio("@CircuitBreaker.failureRatio", cb.failureRatio()));
        add(problems, delay("@CircuitBreaker.delay", new TimeAmount(cb.delay(), cb.unit())));
        add(problems, Rules.atLeastOne("@CircuitBreaker.successThreshold", cb.successThreshold()));
        add(problems, Rules.atLeastOne("@CircuitBreaker.halfOpenProbes", cb.halfOpenProbes()));
        problems.addAll(FailureType.problems("@CircuitBreaker.on", on, "@CircuitBreaker.skipOn", skipOn,
                FailureType.Action.RECORDED));
        return problems;
    }
}
