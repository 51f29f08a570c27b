package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {

    @Test
    void readsOpenAisHeaders() {
        Map<String, String> h = Map.of("x-ratelimit-remaining-requests", "59", "x-ratelimit-remaining-tokens", "149984",
                "x-ratelimit-reset-requests", "1s", "x-ratelimit-reset-tokens", "6m0s");
        RateLimitHeaders r = RateLimitHeaders.parse(h::get);
        assertThat(r.remainingRequests()).isEqualTo(59);
        assertThat(r.remainingTokens()).isEqualTo(149984);
        assertThat(r.resetRequestsNanos()).isEqualTo(1_000_000_000L);
        assertThat(r.resetTokensNanos()).isEqualTo(360_000_000_000L);
    }

    /** The limiter reads a reset as the retry does ({@code RetryAfterHeaders.duration}): one parser. */
    @Test
    void readsEveryDurationForm() {
        assertThat(reset("20ms")).isEqualTo(20_000_000L);
        assertThat(reset("1h2m3.5s")).isEqualTo(3_723_500_000_000L);
        assertThat(reset("1.5")).as("plain seconds").isEqualTo(1_500_000_000L);
        assertThat(reset("250us")).isEqualTo(250_000L);
        assertThat(reset("250\u00b5s")).isEqualTo(250_000L);
        assertThat(reset("7ns")).isEqualTo(7L);
        assertThat(reset("99999999999h")).as("saturated, as the retry's wait").isEqualTo(Long.MAX_VALUE);
        assertThat(RateLimitHeaders.parse(Map.of("x-ratelimit-reset-requests", "7days")::get)).isNull();
        assertThat(RateLimitHeaders.parse(Map.of("x-ratelimit-reset-requests", "soon")::get)).isNull();
        assertThat(RateLimitHeaders.count("-3")).isEqualTo(RateLimitHeaders.UNKNOWN);
    }

    private static long reset(String value) {
        return RateLimitHeaders.parse(Map.of("x-ratelimit-reset-tokens", value)::get).resetTokensNanos();
    }

    /**
     * rate-limits.md, Settle: "Only when a response gives a reset without its count is the reset used": so
     * a reset alone is read, not dropped for want of a count.
     */
    @Test
    void aResetWithoutItsCountIsACorrectionAllTheSame() {
        RateLimitHeaders r = RateLimitHeaders.parse(Map.of("x-ratelimit-reset-requests", "1m0s")::get);
        assertThat(r).isNotNull();
        assertThat(r.remainingRequests()).isEqualTo(RateLimitHeaders.UNKNOWN);
        assertThat(r.remainingTokens()).isEqualTo(RateLimitHeaders.UNKNOWN);
        assertThat(r.resetRequestsNanos()).isEqualTo(60_000_000_000L);
        assertThat(r.resetTokensNanos()).isEqualTo(RateLimitHeaders.UNKNOWN);
    }

    @Test
    void noCountAndNoResetMeansNothingToCorrect() {
        assertThat(RateLimitHeaders.parse(Map.<String, String>of()::get)).isNull();
        assertThat(RateLimitHeaders.parse(Map.of("x-ratelimit-limit-requests", "500")::get)).isNull();
        // a reset longer than any number may be is garbage, not a limit spent for ever
        assertThat(RateLimitHeaders.parse(Map.of("x-ratelimit-reset-requests",
                "9".repeat(257))::get)).isNull(); // RetryAfterHeaders.MAX_NUMBER_LENGTH + 1
    }

    @Test
    void aCallTakesOnlyWhatWasRecordedOnItsThreadAndOnlyOnce() throws Exception {
        RateLimitHeaders seen = new RateLimitHeaders(1, 2, 3, 4);
        RateLimitHeaders.record(seen);
        Thread other = new Thread(() -> assertThat(RateLimitHeaders.take()).isNull());
        other.start();
        other.join();
        assertThat(RateLimitHeaders.take()).isSameAs(seen);
        assertThat(RateLimitHeaders.take()).isNull();
    }
}
