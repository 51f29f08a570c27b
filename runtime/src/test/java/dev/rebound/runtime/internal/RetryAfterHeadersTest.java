package dev.rebound.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RetryAfterHeadersTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static long hint(int status, String... nameValues) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.put(nameValues[i].toLowerCase(Locale.ROOT), nameValues[i + 1]);
        }
        return RetryAfterHeaders.hintNanos(status, headers::get, NOW);
    }

    private static long ms(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }

    @Test
    void retryAfterSeconds() {
        assertThat(hint(429, "Retry-After", "3")).isEqualTo(ms(3000));
        assertThat(hint(503, "Retry-After", " 0 ")).isZero();
        assertThat(hint(429, "Retry-After", "1.5")).isEqualTo(ms(1500));
    }

    @Test
    void retryAfterHttpDate() {
        assertThat(hint(429, "Retry-After", "Thu, 1 Jan 2026 00:00:07 GMT")).isEqualTo(ms(7000));
        assertThat(hint(429, "Retry-After", "Wed, 31 Dec 2025 23:59:00 GMT")).as("in the past").isZero();
    }

    /** RFC 9110, 5.6.7: a recipient accepts the two obsolete forms too. */
    @Test
    void retryAfterInTheObsoleteHttpDateForms() {
        assertThat(hint(429, "Retry-After", "Thursday, 01-Jan-26 00:00:07 GMT")).as("RFC 850").isEqualTo(ms(7000));
        assertThat(hint(429, "Retry-After", "Thu Jan  1 00:00:07 2026")).as("asctime").isEqualTo(ms(7000));
        assertThat(hint(429, "Retry-After", "Thu Jan 01 00:00:09 2026")).as("asctime, zero-padded").isEqualTo(ms(9000));
        // two digits are the year within 50 years of now: 75 is 2075 (a Tuesday), 77 is 1977 (a Saturday)
        assertThat(hint(429, "Retry-After", "Tuesday, 01-Jan-75 00:00:00 GMT")).as("2075")
                .isEqualTo(ms(Duration.between(Instant.parse("2026-01-01T00:00:00Z"),
                        Instant.parse("2075-01-01T00:00:00Z")).toMillis()));
        assertThat(hint(429, "Retry-After", "Saturday, 01-Jan-77 00:00:07 GMT")).as("1977, in the past").isZero();
    }

    @Test
    void retryAfterMsWinsForItsPrecision() {
        assertThat(hint(429, "Retry-After", "2", "retry-after-ms", "1250")).isEqualTo(ms(1250));
    }

    @Test
    void openAiResetHeadersOfTheExhaustedLimit() {
        assertThat(hint(429, "x-ratelimit-reset-requests", "1s", "x-ratelimit-reset-tokens", "6m0s",
                "x-ratelimit-remaining-requests", "0", "x-ratelimit-remaining-tokens", "900")).isEqualTo(ms(1000));
        assertThat(hint(429, "x-ratelimit-reset-requests", "1s", "x-ratelimit-reset-tokens", "6m0s"))
                .as("unknown which is exhausted: the longer").isEqualTo(ms(360_000));
        assertThat(hint(429, "x-ratelimit-reset-tokens", "20ms")).isEqualTo(ms(20));
        assertThat(hint(429, "x-ratelimit-reset-tokens", "1h2m3.5s")).isEqualTo(ms(3_723_500));
    }

    /** A reset is read as the rate limiter reads it (one parser): plain seconds, micro- and nanoseconds too. */
    @Test
    void openAiResetsInPlainSecondsAndEveryUnitTheLimiterReads() {
        assertThat(hint(429, "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "2"))
                .isEqualTo(ms(2000));
        assertThat(hint(429, "x-ratelimit-reset-tokens", "1.5")).isEqualTo(ms(1500));
        assertThat(hint(429, "x-ratelimit-reset-tokens", "250us")).isEqualTo(250_000L);
        assertThat(hint(429, "x-ratelimit-reset-tokens", "250\u00b5s")).isEqualTo(250_000L);
        assertThat(hint(429, "x-ratelimit-reset-tokens", "250\u03bcs")).isEqualTo(250_000L);
        assertThat(hint(429, "x-ratelimit-reset-tokens", "7ns")).isEqualTo(7L);
        assertThat(hint(503, "x-ratelimit-remaining-requests", "1", "x-ratelimit-reset-requests", "2"))
                .as("a limit not used up, on a 5xx: no wait").isZero();
    }

    @Test
    void genericRateLimitResetAsDeltaOrEpochSeconds() {
        assertThat(hint(429, "RateLimit-Reset", "4")).isEqualTo(ms(4000));
        long epoch = Instant.parse("2026-01-01T00:00:09Z").getEpochSecond();
        assertThat(hint(429, "X-RateLimit-Reset", Long.toString(epoch))).isEqualTo(ms(9000));
    }

    @Test
    void successesAndGarbageGiveNoHint() {
        assertThat(hint(200, "Retry-After", "3")).isZero();
        assertThat(hint(429)).isZero();
        assertThat(hint(429, "Retry-After", "soon")).isZero();
        assertThat(hint(429, "Retry-After", "-3")).isZero();
        assertThat(hint(429, "x-ratelimit-reset-requests", "1x")).isZero();
        assertThat(hint(429, "Retry-After", "9".repeat(RetryAfterHeaders.MAX_NUMBER_LENGTH + 1))).isZero();
        // a reset is read as plain seconds too, and garbage alike past the same length
        assertThat(hint(429, "x-ratelimit-reset-requests", "9".repeat(RetryAfterHeaders.MAX_NUMBER_LENGTH + 1)))
                .isZero();
        assertThat(hint(429, "x-ratelimit-reset-requests", "9".repeat(RetryAfterHeaders.MAX_NUMBER_LENGTH)))
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void hugeValuesSaturateInsteadOfOverflowing() {
        assertThat(hint(429, "Retry-After", "9999999999999999999")).isEqualTo(Long.MAX_VALUE);
        // delay-seconds is 1*DIGIT: more digits are a longer wait, never none
        assertThat(hint(429, "Retry-After", "100000000000000000000")).isEqualTo(Long.MAX_VALUE);
        assertThat(hint(429, "retry-after-ms", "99999999999999999999999")).isEqualTo(Long.MAX_VALUE);
        assertThat(hint(429, "Retry-After", "000000000000000000000003")).isEqualTo(3_000_000_000L);
        assertThat(hint(429, "x-ratelimit-reset-requests", "99999999999h")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anthropicResetOfTheExhaustedLimitElseTheLatest() {
        assertThat(hint(429, "anthropic-ratelimit-requests-reset", "2026-01-01T00:00:05Z",
                "anthropic-ratelimit-tokens-reset", "2026-01-01T00:01:00Z",
                "anthropic-ratelimit-requests-remaining", "0", "anthropic-ratelimit-tokens-remaining", "900"))
                .isEqualTo(ms(5000));
        assertThat(hint(429, "anthropic-ratelimit-requests-reset", "2026-01-01T00:00:05Z",
                "anthropic-ratelimit-tokens-reset", "2026-01-01T00:01:00+00:00")).isEqualTo(ms(60_000));
        assertThat(hint(429, "anthropic-ratelimit-tokens-reset", "not a date")).isZero();
    }

    @Test
    void ietfRateLimitOfTheExhaustedPolicyOrItsWindow() {
        assertThat(hint(429, "RateLimit", "\"minute\";r=0;t=20, \"day\";r=500;t=3600")).isEqualTo(ms(20_000));
        assertThat(hint(429, "RateLimit", "\"minute\";r=0", "RateLimit-Policy", "\"minute\";q=100;w=60"))
                .isEqualTo(ms(60_000));
        assertThat(hint(429, "RateLimit", "garbage;;")).isZero();
    }

    /**
     * A reset is when a limit is whole again, sent on every response: a wait only for a limit the
     * response says is used up, or on a 429 (some limit is); a 5xx's is no wait, its Retry-After is.
     */
    @Test
    void aResetIsAWaitOnlyForALimitAtZeroOrOnA429() {
        assertThat(hint(503, "x-ratelimit-remaining-requests", "499", "x-ratelimit-reset-requests", "120ms",
                "x-ratelimit-remaining-tokens", "149984", "x-ratelimit-reset-tokens", "6m0s")).isZero();
        assertThat(hint(500, "x-ratelimit-reset-tokens", "6m0s")).as("no count").isZero();
        assertThat(hint(503, "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "1s",
                "x-ratelimit-reset-tokens", "6m0s")).isEqualTo(ms(1000));
        assertThat(hint(500, "anthropic-ratelimit-requests-remaining", "49",
                "anthropic-ratelimit-requests-reset", "2026-01-01T00:00:40Z")).isZero();
        assertThat(hint(529, "anthropic-ratelimit-tokens-remaining", "0",
                "anthropic-ratelimit-tokens-reset", "2026-01-01T00:00:40Z")).isEqualTo(ms(40_000));
        assertThat(hint(503, "RateLimit", "\"minute\";r=3;t=20")).isZero();
        assertThat(hint(503, "RateLimit", "\"minute\";r=0;t=20, \"day\";r=9;t=3600")).isEqualTo(ms(20_000));
        assertThat(hint(503, "X-RateLimit-Remaining", "12", "X-RateLimit-Reset", "4")).isZero();
        assertThat(hint(503, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "4")).isEqualTo(ms(4000));
        assertThat(hint(503, "RateLimit-Reset", "4")).isZero();
        assertThat(hint(503, "Retry-After", "2", "x-ratelimit-reset-tokens", "6m0s")).isEqualTo(ms(2000));
        assertThat(hint(429, "x-ratelimit-remaining-requests", "499", "x-ratelimit-reset-tokens", "6m0s"))
                .as("a 429 says some limit is used up").isEqualTo(ms(360_000));
    }

    @Test
    void xShouldRetry() {
        assertThat(RetryAfterHeaders.shouldRetry(n -> n.equals("x-should-retry") ? "true" : null)).isTrue();
        assertThat(RetryAfterHeaders.shouldRetry(n -> n.equals("x-should-retry") ? " FALSE " : null)).isFalse();
        assertThat(RetryAfterHeaders.shouldRetry(n -> n.equals("x-should-retry") ? "maybe" : null)).isNull();
        assertThat(RetryAfterHeaders.shouldRetry(n -> null)).isNull();
    }

    @Test
    void errorBodiesThatAreNotJsonOrSayNothingAreIgnored() {
        assertThat(ErrorBodies.read(429, "<html>busy</html>").quota()).isNull();
        assertThat(ErrorBodies.read(429, "{\"error\": \"text\"}").quota()).isNull();
        assertThat(ErrorBodies.read(402, "not json").quota()).isEqualTo("payment_required");
        assertThat(ErrorBodies.read(429, "{\"error\": {\"type\": \"rate_limit_exceeded\"}}").quota()).isNull();
        assertThat(ErrorBodies.read(429, "{\"error\": {\"code\": \"credit_balance_exhausted\"}}").quota())
                .isEqualTo("credit_balance_exhausted");
    }
}
