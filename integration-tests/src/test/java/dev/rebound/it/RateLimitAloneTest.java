package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.woven.RateLimitedOnly;
import dev.rebound.it.woven.TokenLimitedOnly;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.weaver.Woven;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A class whose only policy is {@code @RateLimit} is woven by ajc, and its limit holds, its token limit included. */
class RateLimitAloneTest extends VirtualTime {

    @Test
    void aRateLimitWithoutAnyOtherPolicyIsApplied() {
        RateLimitedOnly client = new RateLimitedOnly();

        String first = client.call("p");
        Throwable second = catchThrowable(() -> client.call("p"));

        assertThat(Woven.class.isAssignableFrom(RateLimitedOnly.class)).isTrue();
        assertThat(first).isEqualTo("answer 1");
        assertThat(second).isInstanceOf(RateLimitRefusedException.class)
                .hasMessageContaining("RateLimitedOnly.call(String)");
        assertThat(client.calls).isEqualTo(1);
    }

    /**
     * The woven door holds a call's arguments in AspectJ's closure, not in an array of its own: the limiter's token
     * estimate reads them there (it read none, and charged a 750-token prompt nothing).
     */
    @Test
    void aTokenLimitChargesAWovenCallItsPromptsTokens() {
        TokenLimitedOnly client = new TokenLimitedOnly();
        String prompt = "x".repeat(3000); // 750 tokens by the heuristic: 4 characters a token

        client.call(prompt);
        client.call(prompt);

        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RATE_LIMIT_TOKENS_CHARGED)
                .extracting(ReboundEvent::tokens).containsExactly(750L, 750L);
        assertThat(clock.sleeps()).as("1,500 tokens of 1,000 a minute: the second call waits for 500")
                .containsExactly(Duration.ofSeconds(30));
        assertThat(client.calls).isEqualTo(2);
    }
}
