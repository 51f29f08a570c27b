package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.woven.RateLimitedOnly;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.weaver.Woven;
import org.junit.jupiter.api.Test;

/** A class whose only policy is {@code @RateLimit} is woven by ajc, and its limit holds. */
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
}
