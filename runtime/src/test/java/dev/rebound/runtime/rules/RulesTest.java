package dev.rebound.runtime.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The rule set on its own: each bound holds at its edges, values print as users wrote them. */
class RulesTest {

    @Test
    void boundsAcceptTheirEdgesAndRejectJustBeyond() {
        assertThat(RetryRules.attempts("attempts", 1)).isNull();
        assertThat(RetryRules.attempts("attempts", 100)).isNull();
        assertThat(RetryRules.attempts("attempts", 101)).isEqualTo("attempts = 101 is outside 1..100");
        assertThat(RetryRules.multiplier("multiplier", 1.0)).isNull();
        assertThat(RetryRules.multiplier("multiplier", Double.MAX_VALUE)).isNull();
        assertThat(RetryRules.budgetRatio("budgetRatio", 0)).isNull();
        assertThat(RetryRules.budgetRatio("budgetRatio", 1)).isNull();
        assertThat(RetryRules.budgetRatio("budgetRatio", -0.1)).isEqualTo("budgetRatio = -0.1 is outside 0..1");
        assertThat(RetryRules.budgetNeedsRatio("budget", "  ", "budgetRatio", 0)).isNull();
        assertThat(RetryRules.budgetNeedsRatio("budget", " openai ", "budgetRatio", 0))
                .isEqualTo("budget = \"openai\" needs budgetRatio above 0");
        assertThat(BreakerRules.requestVolumeThreshold("w", 10_000)).isNull();
        assertThat(BreakerRules.requestVolumeThreshold("w", 10_001)).isEqualTo("w = 10001 is outside 1..10000");
        assertThat(BreakerRules.failureRatio("r", 1.0)).isNull();
        assertThat(BreakerRules.failureRatio("r", Double.MIN_VALUE)).isNull();
        assertThat(BreakerRules.failureRatio("r", Double.NaN)).isEqualTo("r = NaN must be more than 0 and at most 1");
        assertThat(Rules.atLeastOne("p", 1)).isNull();
        assertThat(Rules.notNegative("delay", new TimeAmount(0, TimeUnit.DAYS))).isNull();
    }

    @Test
    void maxDelayIsComparedInTimeNotInNumbers() {
        assertThat(RetryRules.maxDelay("maxDelay", new TimeAmount(1, TimeUnit.SECONDS), "delay",
                new TimeAmount(999, TimeUnit.MILLISECONDS))).isNull();
        assertThat(RetryRules.maxDelay("maxDelay", new TimeAmount(999, TimeUnit.MILLISECONDS), "delay",
                new TimeAmount(1, TimeUnit.SECONDS))).isEqualTo("maxDelay = 999 ms is below delay = 1 s");
    }

    @Test
    void aDurationOrAnAnnotationsAmountPrintsInItsLargestExactUnit() {
        assertThat(TimeAmount.of(Duration.ofMillis(-1))).hasToString("-1 ms");
        assertThat(new TimeAmount(1000, TimeUnit.MILLISECONDS)).hasToString("1 s");
        assertThat(new TimeAmount(9000, TimeUnit.HOURS)).hasToString("375 d");
        assertThat(new TimeAmount(-60, TimeUnit.SECONDS)).hasToString("-1 min");
        assertThat(new TimeAmount(0, TimeUnit.DAYS)).hasToString("0 s");
        assertThat(new TimeAmount(Long.MAX_VALUE, TimeUnit.DAYS)).hasToString(Long.MAX_VALUE + " d");
        assertThat(new TimeAmount(Long.MIN_VALUE, TimeUnit.NANOSECONDS)).hasToString(Long.MIN_VALUE + " ns");
        assertThat(TimeAmount.of(Duration.ofMillis(1500))).hasToString("1500 ms");
        assertThat(TimeAmount.of(Duration.ofSeconds(90))).hasToString("90 s");
        assertThat(TimeAmount.of(Duration.ofMinutes(2))).hasToString("2 min");
        assertThat(TimeAmount.of(Duration.ofDays(3))).hasToString("3 d");
        assertThat(TimeAmount.of(Duration.ZERO)).hasToString("0 s");
        assertThat(TimeAmount.of(Duration.ofNanos(1_001))).hasToString("1001 ns");
        assertThat(TimeAmount.of(Duration.ofSeconds(Long.MAX_VALUE))).hasToString(Long.MAX_VALUE + " s");
        assertThat(TimeAmount.of(Duration.ofSeconds(Long.MAX_VALUE)).toNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(new TimeAmount(Long.MIN_VALUE, TimeUnit.DAYS).toNanos()).isEqualTo(Long.MIN_VALUE);
        assertThat(TimeAmount.of(Duration.ofSeconds(Long.MAX_VALUE, 999)).isNegative()).isFalse();
        assertThat(TimeAmount.of(Duration.ofSeconds(9_223_372_036L, 999_999_999)).isNegative()).isFalse();
        assertThat(TimeAmount.of(Duration.ofSeconds(Long.MIN_VALUE, 1)).isNegative()).isTrue();
    }

    @Test
    void anAmountBeyondWhatNanosecondsHoldReadsTheSameFromABuilderAsFromAnAnnotation() {
        long millis = 1_000_000_000_000_001L; // 31,700 years and 1 ms: beyond a long of nanoseconds
        assertThat(TimeAmount.of(Duration.ofMillis(millis)))
                .hasToString(new TimeAmount(millis, TimeUnit.MILLISECONDS).toString())
                .hasToString(millis + " ms");
        assertThat(TimeAmount.of(Duration.ofMillis(-millis))).hasToString("-" + millis + " ms");
        long micros = 1_000_000_000_000_000_001L;
        assertThat(TimeAmount.of(Duration.of(micros, java.time.temporal.ChronoUnit.MICROS)))
                .hasToString(micros + " us");
        assertThat(TimeAmount.of(Duration.ofMillis(millis)).toNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(TimeAmount.of(Duration.ofSeconds(Long.MAX_VALUE, 1))).hasToString(Long.MAX_VALUE + " ns");
        assertThat(TimeAmount.of(Duration.ofSeconds(Long.MIN_VALUE, 1))).hasToString(Long.MIN_VALUE + " ns");
    }

    @Test
    void failureListsNameEveryTypeThatCanNeverTakeEffect() {
        assertThat(FailureType.problems("on", FailureType.of(List.of(IOException.class, Error.class,
                InterruptedException.class, dev.rebound.runtime.ReboundConfigurationException.class)), "off",
                FailureType.of(List.of(IOException.class)), FailureType.Action.RETRIED)).containsExactly(
                        "on and off both list java.io.IOException",
                        "on lists java.lang.Error, an Error: Errors are never retried",
                        "on lists java.lang.InterruptedException: an interrupted call is never retried",
                        "on lists dev.rebound.runtime.ReboundConfigurationException, a policy that could not be"
                                + " built: a configuration error is never retried");
    }

    @Test
    void aTypeActedOnThatIsASubclassOfAnExclusionIsNamedWithIt() {
        FailureType connect = FailureType.of(java.net.ConnectException.class);
        assertThat(FailureType.problems("on", List.of(connect), "off", FailureType.of(List.of(IOException.class)),
                FailureType.Action.CAUGHT)).containsExactly("on lists java.net.ConnectException, a subclass of"
                        + " java.io.IOException, which off lists: it would never be caught by a fallback");
        // an exclusion under a type acted on narrows it
        assertThat(FailureType.problems("on", FailureType.of(List.of(IOException.class)), "off", List.of(connect),
                FailureType.Action.CAUGHT)).isEmpty();
        assertThat(FailureType.of(StackOverflowError.class).error()).isTrue();
        assertThat(FailureType.of(IOException.class).error()).isFalse();
    }

    @Test
    void aCycleIsTheFirstPathBackToThePrimary() {
        Map<String, List<String>> own = Map.of("A", List.of("B"), "B", List.of("C", "D"), "C", List.of(),
                "D", List.of("A"));
        assertThat(FallbackRules.cycle("A", "B", k -> own.getOrDefault(k, List.of())))
                .containsExactly("A", "B", "D", "A");
        assertThat(FallbackRules.cycle("A", "C", k -> own.getOrDefault(k, List.of()))).isNull();
        Map<String, List<String>> loopWithoutPrimary = Map.of("B", List.of("C"), "C", List.of("B"));
        assertThat(FallbackRules.cycle("A", "B", k -> loopWithoutPrimary.getOrDefault(k, List.of()))).isNull();
    }

    @Test
    void buildersGetTheProblemAsAnIllegalArgumentAndNullsByName() {
        Rules.require((String) null);
        assertThatThrownBy(() -> Rules.require(RetryRules.attempts("attempts", 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("attempts = 0 is outside 1..100");
        assertThatThrownBy(() -> Rules.nonNull("retryOn", IOException.class, null))
                .isInstanceOf(NullPointerException.class).hasMessage("retryOn[1]");
        assertThat(MethodRules.isDeferred("java.util.concurrent.CompletionStage")).isTrue();
        assertThat(MethodRules.isDeferred("java.lang.String")).isFalse();
    }

    @Test
    void aNonIdempotentRetryIsRefusedEachWayItWouldRepeatTheEffect() {
        MethodRules.RetryAttributes names = MethodRules.RetryAttributes.ANNOTATION;
        List<FailureType> connect = List.of(FailureType.of(java.net.ConnectException.class));
        List<FailureType> runtime = List.of(FailureType.of(RuntimeException.class));
        List<FailureType> none = List.of();
        assertThat(MethodRules.nonIdempotentRetry(names, 1, none, none, true, true)).as("one attempt").isEmpty();
        assertThat(MethodRules.nonIdempotentRetry(names, 2, connect, none, false, false)).isEmpty();
        assertThat(MethodRules.nonIdempotentRetry(names, 2, none, none, true, true)).hasSize(3);
        assertThat(MethodRules.nonIdempotentRetry(names, 2, connect, none, true, false)).containsExactly(
                "@Retry.onResult on a @NonIdempotent method would repeat a call that returned, and so had its effect"
                        + " (where a result shows that the call had no effect, throw a failure instead and list it in"
                        + " @Retry.on)");
        assertThat(MethodRules.nonIdempotentRetry(names, 2, connect, none, false, true)).singleElement().asString()
                .startsWith("@Retry.attemptTimeout on a @NonIdempotent method would repeat a call that timed out");
        // a list names the timeout by its class or a superclass of it
        assertThat(MethodRules.nonIdempotentRetry(names, 2, runtime, none, false, true)).isEmpty();
        assertThat(MethodRules.nonIdempotentRetry(names, 2, connect, List.of(FailureType.of(Exception.class)), false,
                true)).isEmpty();
        assertThat(MethodRules.nonIdempotentRetry(names, 2, connect,
                List.of(FailureType.of(dev.rebound.runtime.AttemptTimeoutException.class)), false, true)).isEmpty();
        assertThat(MethodRules.nonIdempotentRetry(names, 2, connect, List.of(FailureType.of(IOException.class)), false,
                true)).hasSize(1);
    }
}
