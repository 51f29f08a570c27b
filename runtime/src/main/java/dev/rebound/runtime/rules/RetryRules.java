package dev.rebound.runtime.rules;

import static dev.rebound.runtime.rules.Rules.add;
import static dev.rebound.runtime.rules.Rules.notNegative;
import static dev.rebound.runtime.rules.Rules.problem;

import dev.rebound.annotations.Retry;
import java.util.ArrayList;
import java.util.List;

/**
 * The bounds of a retry policy ({@code @Retry}, {@code RetryPolicy.Builder}). Each rule takes the
 * attribute's name as its reader knows it ({@code "@Retry.attempts"}, {@code "attempts"}) and returns
 * the problem, or null when the value is fine.
 */
public final class RetryRules {

    /** At most this many attempts: retrying forever is impossible. */
    public static final int MAX_ATTEMPTS = 100;

    /** The default of {@code budgetMinPerSecond}, {@code @Retry}'s and {@code RetryPolicy.Builder}'s. */
    public static final int DEFAULT_BUDGET_MIN_PER_SECOND = 1;

    /**
     * Other libraries' retry annotations, by binary name: Spring Retry's {@code @Retryable}, Spring
     * Framework 7's, resilience4j's {@code @Retry}, MicroProfile Fault Tolerance's {@code @Retry}. Matched
     * by name, so none of them is a dependency: beside Rebound's {@code @Retry} on one method (or its
     * class), each retries the calls the other makes ({@link #retriedByAnotherLibrary}).
     */
    public static final List<String> OTHER_LIBRARIES_RETRIES = List.of(
            "org.springframework.retry.annotation.Retryable",
            "org.springframework.resilience.annotation.Retryable",
            "io.github.resilience4j.retry.annotation.Retry",
            "org.eclipse.microprofile.faulttolerance.Retry");

    private RetryRules() {
    }

    /**
     * Rebound's {@code @Retry} of {@code attempts} (above 1) on {@code method} beside {@code other}, another
     * library's retry annotation ({@link #OTHER_LIBRARIES_RETRIES}) on the method or its class: the two
     * retries nest, and their attempts multiply (3 x 3 = 9 calls), in the words of Rebound's nested-retry
     * warning. Not an error: said once per method at WARN on {@code dev.rebound} when a door resolves the
     * policy, and as a compile-time warning by the annotation processor.
     *
     * @param method how logs name the method, {@code "Pinger.ping(String)"}
     * @param other the other annotation's binary name
     */
    public static String retriedByAnotherLibrary(String method, int attempts, String other) {
        return "Nested retries: " + method + " has @Retry (" + attempts + " attempts) and @" + other
                + ", which retries it too, so one call of " + method + " can make up to " + attempts
                + " times that annotation's attempts. Retry at one level only: drop one of the two annotations,"
                + " or narrow @Retry.on.";
    }

    /** Attempts, the first included: 1..{@value #MAX_ATTEMPTS}. */
    public static String attempts(String attribute, int attempts) {
        return attempts < 1 || attempts > MAX_ATTEMPTS
                ? problem(attribute, attempts, "is outside 1.." + MAX_ATTEMPTS) : null;
    }

    /** The cap on one wait is not below the first wait. */
    public static String maxDelay(String maxDelayAttribute, TimeAmount maxDelay, String delayAttribute,
            TimeAmount delay) {
        return maxDelay.toNanos() < delay.toNanos()
                ? problem(maxDelayAttribute, maxDelay, "is below " + delayAttribute + " = " + delay) : null;
    }

    /** The growth of the wait per attempt: a finite number of at least 1.0. */
    public static String multiplier(String attribute, double multiplier) {
        return !(multiplier >= 1.0) || Double.isInfinite(multiplier)
                ? problem(attribute, multiplier, "must be a finite number >= 1.0") : null;
    }

    /** The share of calls a retry budget allows: 0..1 (0 = no budget). */
    public static String budgetRatio(String attribute, double ratio) {
        return !(ratio >= 0.0 && ratio <= 1.0) ? problem(attribute, ratio, "is outside 0..1") : null;
    }

    /** A budget's reserve, in retries per second of its window: not negative. */
    public static String budgetMinPerSecond(String attribute, int retries) {
        return retries < 0 ? problem(attribute, retries, "is negative") : null;
    }

    /** A named budget needs a ratio: a name alone would silently mean "no budget". */
    public static String budgetNeedsRatio(String budgetAttribute, String budget, String ratioAttribute,
            double ratio) {
        return !budget.isBlank() && ratio == 0
                ? problem(budgetAttribute, "\"" + budget.strip() + "\"", "needs " + ratioAttribute + " above 0")
                : null;
    }

    /**
     * A budget minimum other than the default needs a ratio: without a budget it would silently mean
     * nothing. Compared with the default, so the annotation and the builder agree.
     */
    public static String budgetMinNeedsRatio(String minAttribute, int minPerSecond, String ratioAttribute,
            double ratio) {
        return minPerSecond >= 0 && minPerSecond != DEFAULT_BUDGET_MIN_PER_SECOND && ratio == 0
                ? problem(minAttribute, minPerSecond, "needs " + ratioAttribute + " above 0") : null;
    }

    /**
     * A retry budget defined again with other values: the first definition ({@code firstRatio},
     * {@code firstMinPerSecond}) wins, so the second would silently not apply. {@code name} is the
     * budget's name, or the interface's binary name for an unnamed budget.
     */
    public static String budgetDefinedOtherwise(String budgetAttribute, String name, double firstRatio,
            int firstMinPerSecond, double ratio, int minPerSecond) {
        return budgetAttribute + " names retry budget \"" + name + "\" (budgetRatio " + firstRatio
                + ", budgetMinPerSecond " + firstMinPerSecond + ") with budgetRatio " + ratio + ", budgetMinPerSecond "
                + minPerSecond + "; every method naming a budget must give it the same values";
    }

    /**
     * A retry budget the methods reading the global settings live define otherwise than the methods built on
     * the settings {@code setGlobal} brings (or settings sharing their budgets): said by {@code setGlobal},
     * which cannot refuse what was built before. Each keeps its values over the one window of the name.
     */
    public static String budgetDefinedOtherwiseByNewGlobal(String name, double liveRatio, int liveMinPerSecond,
            double ratio, int minPerSecond) {
        return "retry budget \"" + name + "\" is defined with budgetRatio " + liveRatio + ", budgetMinPerSecond "
                + liveMinPerSecond + " by methods reading the global settings live, and with budgetRatio " + ratio
                + ", budgetMinPerSecond " + minPerSecond + " by methods built on settings sharing the new global"
                + " settings' budgets: each draws on the budget's one window of calls and retries with its own values;"
                + " every method naming a budget must give it the same values";
    }

    /**
     * Every problem of one {@code @Retry}, its attributes named {@code @Retry.<member>}. Reads only
     * the annotation's primitive members (javac cannot give the class-valued ones as classes): the
     * failure lists come as {@link FailureType}s.
     */
    public static List<String> check(Retry r, List<FailureType> on, List<FailureType> abortOn) {
        List<String> problems = new ArrayList<>();
        TimeAmount delay = new TimeAmount(r.delay(), r.unit());
        TimeAmount maxDelay = new TimeAmount(r.maxDelay(), r.unit());
        add(problems, attempts("@Retry.attempts", r.attempts()));
        add(problems, notNegative("@Retry.delay", delay));
        add(problems, notNegative("@Retry.maxDelay", maxDelay));
        if (!delay.isNegative() && !maxDelay.isNegative()) {
            add(problems, maxDelay("@Retry.maxDelay", maxDelay, "@Retry.delay", delay));
        }
        add(problems, multiplier("@Retry.multiplier", r.multiplier()));
        add(problems, notNegative("@Retry.maxDuration", new TimeAmount(r.maxDuration(), r.unit())));
        add(problems, notNegative("@Retry.attemptTimeout", new TimeAmount(r.attemptTimeout(), r.unit())));
        problems.addAll(FailureType.problems("@Retry.on", on, "@Retry.abortOn", abortOn, FailureType.Action.RETRIED));
        add(problems, budgetRatio("@Retry.budgetRatio", r.budgetRatio()));
        add(problems, budgetNeedsRatio("@Retry.budget", r.budget(), "@Retry.budgetRatio", r.budgetRatio()));
        add(problems, budgetMinPerSecond("@Retry.budgetMinPerSecond", r.budgetMinPerSecond()));
        add(problems, budgetMinNeedsRatio("@Retry.budgetMinPerSecond", r.budgetMinPerSecond(), "@Retry.budgetRatio",
                r.budgetRatio()));
        return problems;
    }
}
