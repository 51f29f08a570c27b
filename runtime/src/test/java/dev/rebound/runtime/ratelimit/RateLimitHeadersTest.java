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

    @Test
    void readsEveryDurationForm() {
        assertThat(RateLimitHeaders.duration("20ms")).isEqualTo(20_000_000L);
        assertThat(RateLimitHeaders.duration("1h2m3.5s")).isEqualTo(3_723_500_000_000L);
        assertThat(RateLimitHeaders.duration("1.5")).isEqualTo(1_500_000_000L);
        assertThat(RateLimitHeaders.duration("7days")).isEqualTo(RateLimitHeaders.UNKNOWN);
        assertThat(RateLimitHeaders.duration("soon")).isEqualTo(RateLimitHeaders.UNKNOWN);
        assertThat(RateLimitHeaders.count("-3")).isEqualTo(RateLimitHeaders.UNKNOWN);
    }

    @Test
    void noCountsMeansNothingToCorrect() {
        assertThat(RateLimitHeaders.parse(Map.of("x-ratelimit-reset-requests", "1s")::get)).isNull();
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
