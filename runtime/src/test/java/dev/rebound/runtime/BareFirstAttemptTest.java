package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.internal.chain.Chains;
import dev.rebound.runtime.internal.chain.MethodSpec;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The happy path's shortcut ({@link ResilientMethod#bareFirstAttempt()}) is taken only when nothing
 * must see a first attempt, and never hides a policy: a breaker, a budget, a deadline, a tracer or a
 * listener timing successes each turn it off, the live global settings included, and a failed bare
 * attempt still retries.
 */
class BareFirstAttemptTest {

    private final ReboundSettings global = ReboundSettings.global();
    private final VirtualTimeSource clock = new VirtualTimeSource();

    @AfterEach
    void restoreGlobal() {
        ReboundSettings.setGlobal(global);
    }

    private ReboundSettings quiet() {
        return ReboundSettings.builder().timeSource(clock).logging(false).build();
    }

    private static ResilientMethod engine(ReboundSettings settings, UnaryOperator<RetryPolicy.Builder> retry,
            CircuitBreakerPolicy breaker) {
        MethodSpec.Builder spec = MethodSpec.builder("Model.chat(String)", "Fake")
                .retry(retry.apply(RetryPolicy.builder().attempts(3).delay(Duration.ZERO)).build())
                .settings(settings).budgetScope(BareFirstAttemptTest.class.getName());
        if (breaker != null) {
            spec.circuitBreaker(breaker);
        }
        return Chains.executorOf(spec.build());
    }

    /** A listener that hears first-attempt successes. */
    private static ReboundListener timing(List<String> heard) {
        return new ReboundListener() {
            @Override
            public void onEvent(ReboundEvent event) {
            }

            @Override
            public boolean wantsFirstAttemptSuccess() {
                return true;
            }

            @Override
            public void onFirstAttemptSuccess(String method, long nanos) {
                heard.add(method);
            }
        };
    }

    @Test
    void aRetryAloneOnQuietSettingsRunsItsFirstAttemptBare() {
        assertThat(engine(quiet(), r -> r, null).bareFirstAttempt()).isTrue();
    }

    @Test
    void aBreakerABudgetOrADeadlineMustSeeTheFirstAttempt() {
        assertThat(engine(quiet(), r -> r, CircuitBreakerPolicy.builder().build()).bareFirstAttempt())
                .as("circuit breaker").isFalse();
        assertThat(engine(quiet(), r -> r.budgetRatio(0.2), null).bareFirstAttempt()).as("retry budget").isFalse();
        assertThat(engine(quiet(), r -> r.maxDuration(Duration.ofSeconds(5)), null).bareFirstAttempt())
                .as("maxDuration").isFalse();
    }

    @Test
    void settingsThatTimeSuccessesOrTraceCallsTurnTheShortcutOff() {
        List<String> heard = new ArrayList<>();
        ReboundSettings timed = quiet().toBuilder().listener(timing(heard)).build();
        ReboundSettings traced = quiet().toBuilder().tracer(new dev.rebound.runtime.observation.ObservationTracer(
                io.micrometer.observation.ObservationRegistry.NOOP)).build();

        assertThat(timed.observesSuccess()).isTrue();
        assertThat(traced.observesSuccess()).isTrue();
        assertThat(quiet().observesSuccess()).isFalse();
        assertThat(engine(timed, r -> r, null).bareFirstAttempt()).as("timed").isFalse();
        assertThat(engine(traced, r -> r, null).bareFirstAttempt()).as("traced").isFalse();
    }

    @Test
    void onTheGlobalSettingsTheShortcutFollowsThemLiveAndATimingListenerHearsTheNextSuccess() throws Throwable {
        ReboundSettings.setGlobal(quiet());
        ResilientMethod engine = engine(null, r -> r, null); // null: read the global settings live, as woven code
        Invoker ok = (context, args) -> "ok";
        assertThat(engine.bareFirstAttempt()).isTrue();

        List<String> heard = new ArrayList<>();
        ReboundSettings.setGlobal(quiet().toBuilder().listener(timing(heard)).build());

        assertThat(engine.bareFirstAttempt()).isFalse();
        assertThat(engine.execute(null, null, ok)).isEqualTo("ok");
        assertThat(heard).containsExactly("Model.chat(String)");
    }

    @Test
    void aBareFirstAttemptThatFailsIsRetriedAndItsFailureRecorded() throws Throwable {
        ResilientMethod engine = engine(quiet(), r -> r, null);
        RuntimeException first = new IllegalStateException("503");
        AtomicInteger calls = new AtomicInteger();
        Invoker failsOnce = (context, args) -> {
            if (calls.incrementAndGet() == 1) {
                throw first;
            }
            return "second";
        };

        assertThat(engine.bareFirstAttempt()).isTrue();
        assertThat(engine.execute(null, null, failsOnce)).isEqualTo("second");
        assertThat(calls).hasValue(2);
    }
}
