package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import dev.rebound.it.plain.alternatives.PlainOwnPolicyAlternatives;
import dev.rebound.it.woven.OwnPolicyAlternatives;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.Rebound;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.guice.ReboundModule;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * An alternative reached as a fallback gets its class's own @RateLimit and @CircuitBreaker through
 * every door, around its own @Retry: the same call counts woven, through Guice and through
 * Rebound.wrap. Each door's breaker lives in the policy it resolved for the method and class, and the
 * rate limit in its key: the woven door uses its own classes, Guice and Rebound.wrap the plain ones in
 * turn, one test each.
 */
class AlternativePoliciesDoorsTest extends VirtualTime {

    /** The limited alternative: its one permit a minute serves the first call; then it is refused. */
    private static void limited(Function<String, String> quote, List<String> calls) {
        assertThat(quote.apply("A")).isEqualTo("limited A");
        Throwable refused = catchThrowable(() -> quote.apply("B"));
        assertThat(refused).isInstanceOf(IllegalStateException.class).hasMessage("primary down");
        assertThat(refused.getSuppressed()).hasAtLeastOneElementOfType(RateLimitRefusedException.class);
        assertThat(calls).containsExactly("primary", "primary", "limited", "primary", "primary");
    }

    /** The broken alternative: its retry's 2 failures open its breaker; then it is not called. */
    private void broken(Function<String, String> quote, List<String> calls) {
        for (int i = 0; i < 3; i++) {
            assertThat(catchThrowable(() -> quote.apply("A"))).hasMessage("primary down");
        }
        assertThat(calls).containsExactly("primary", "broken", "broken", "primary", "primary");
        clock.advance(Duration.ofMinutes(1));
        catchThrowable(() -> quote.apply("A"));
        assertThat(calls.subList(5, calls.size())).as("half-open: one probe").containsExactly("primary", "broken");
    }

    @Test
    void theAspectAppliesAnAlternativesOwnRateLimitAndBreaker() {
        OwnPolicyAlternatives.CALLS.clear();
        OwnPolicyAlternatives.ToLimited toLimited = new OwnPolicyAlternatives.ToLimited();
        assertThat(toLimited).isInstanceOf(Woven.class);
        limited(toLimited::quote, OwnPolicyAlternatives.CALLS);

        OwnPolicyAlternatives.CALLS.clear();
        broken(new OwnPolicyAlternatives.ToBroken()::quote, OwnPolicyAlternatives.CALLS);
    }

    @Test
    void guiceAndWrapApplyAnAlternativesOwnRateLimitAndBreaker() {
        PlainOwnPolicyAlternatives.CALLS.clear();
        PlainOwnPolicyAlternatives.Quotes viaGuice = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainOwnPolicyAlternatives.Quotes.class).to(PlainOwnPolicyAlternatives.ToLimited.class);
            }
        }).getInstance(PlainOwnPolicyAlternatives.Quotes.class);
        limited(viaGuice::quote, PlainOwnPolicyAlternatives.CALLS);

        PlainOwnPolicyAlternatives.CALLS.clear();
        PlainOwnPolicyAlternatives.Quotes viaWrap = Rebound.wrap(PlainOwnPolicyAlternatives.Quotes.class,
                new PlainOwnPolicyAlternatives.ToBroken()).build();
        broken(viaWrap::quote, PlainOwnPolicyAlternatives.CALLS);
    }
}
