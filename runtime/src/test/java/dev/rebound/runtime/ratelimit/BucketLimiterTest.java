package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.testing.VirtualTimeSource;
import io.github.bucket4j.Bucket;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The limiter's rules, on the virtual clock: every wait asserted to the nanosecond. */
class BucketLimiterTest {

    static final long SECOND = 1_000_000_000L;
    final VirtualTimeSource clock = new VirtualTimeSource();

    @Test
    void callsWithinTheLimitDoNotWaitAndTheNextWaitsForItsShareOfTheMinute() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("openai", 10, 0, clock);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.acquire(0, 60 * SECOND)).isZero();
        }
        assertThat(limiter.wouldWait(0)).isEqualTo(6 * SECOND);
        assertThat(limiter.acquire(0, 60 * SECOND)).isEqualTo(6 * SECOND);
        // a reservation: the next caller queues behind it
        assertThat(limiter.acquire(0, 60 * SECOND)).isEqualTo(12 * SECOND);
        clock.advance(Duration.ofSeconds(12));
        assertThat(limiter.acquire(0, 60 * SECOND)).isEqualTo(6 * SECOND);
    }

    @Test
    void aWaitLongerThanAllowedIsRefusedAndTakesNothing() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 1, 0, clock);
        assertThat(limiter.acquire(0, 0)).isZero();
        assertThat(limiter.acquire(0, 59 * SECOND)).isEqualTo(RateLimiter.REFUSED);
        assertThat(limiter.acquire(0, 0)).isEqualTo(RateLimiter.REFUSED);
        assertThat(limiter.acquire(0, 60 * SECOND)).isEqualTo(60 * SECOND);
    }

    @Test
    void tokensAreLimitedAsWellAndTheLongerWaitWins() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 100, 1000, clock);
        assertThat(limiter.acquire(600, 60 * SECOND)).isZero();
        // 200 tokens short at 1000 per minute: 12 s
        assertThat(limiter.acquire(600, 60 * SECOND)).isEqualTo(12 * SECOND);
    }

    @Test
    void aTokenRefusalGivesTheRequestBack() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 2, 1000, clock);
        assertThat(limiter.acquire(1000, 0)).isZero();
        assertThat(limiter.acquire(500, 10 * SECOND)).isEqualTo(RateLimiter.REFUSED);
        // the request refused was not kept: one request is still there
        assertThat(limiter.acquire(0, 0)).isZero();
    }

    @Test
    void reconcilingRefundsAnOverEstimateAndChargesAnUnderEstimate() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 100, 1000, clock);
        assertThat(limiter.acquire(1000, 0)).isZero();
        limiter.adjustTokens(-400); // the answer used 600
        assertThat(limiter.acquire(400, 0)).isZero();
        limiter.adjustTokens(300); // this one used 700: 300 more, spent already
        assertThat(limiter.wouldWait(1)).isEqualTo(18 * SECOND + 60 * SECOND / 1000);
    }

    @Test
    void aTokenEstimateAboveTheLimitIsClampedToIt() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 100, 1000, clock);
        assertThat(limiter.acquire(5000, 0)).isZero();
        assertThat(limiter.wouldWait(1000)).isEqualTo(60 * SECOND);
    }

    @Test
    void releaseReturnsWhatAnUnsentCallTook() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 1, 100, clock);
        assertThat(limiter.acquire(100, 0)).isZero();
        limiter.release(100);
        assertThat(limiter.acquire(100, 0)).isZero();
    }

    @Test
    void theProvidersHeadersLowerTheViewAndNeverRaiseIt() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 60, 6000, clock);
        limiter.correct(new RateLimitHeaders(2, RateLimitHeaders.UNKNOWN, 20 * SECOND, RateLimitHeaders.UNKNOWN));
        assertThat(limiter.acquire(0, 0)).isZero();
        assertThat(limiter.acquire(0, 0)).isZero();
        assertThat(limiter.wouldWait(0)).isEqualTo(SECOND);
        limiter.correct(new RateLimitHeaders(50, 6000, 0, 0)); // more than we think: ignored
        assertThat(limiter.wouldWait(0)).isEqualTo(SECOND);
    }

    /**
     * A correction arrives while another, from the provider's same count (40 of 100 left), has read the
     * bucket's level and not yet lowered it (the interleaving made certain: the first waits until the second
     * has finished or is held back): the bucket holds 40, not 40 less the difference twice.
     */
    @Test
    void aCorrectionArrivingWhileAnotherIsUnderWayLowersTheBucketToTheProvidersCountNotBelow() throws Exception {
        Bucket requests = Bucket.builder().addLimit(BucketLimiter.perMinute(100))
                .withCustomTimePrecision(BucketLimiter.meter(clock, false)).build();
        RateLimitHeaders fortyLeft = new RateLimitHeaders(40, RateLimitHeaders.UNKNOWN, RateLimitHeaders.UNKNOWN,
                RateLimitHeaders.UNKNOWN);
        BucketLimiter[] limiter = new BucketLimiter[1];
        Thread[] second = new Thread[1];
        Bucket interleaving = (Bucket) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Bucket.class},
                (proxy, m, args) -> {
                    Object result = m.invoke(requests, args);
                    if (m.getName().equals("getAvailableTokens") && second[0] == null) {
                        second[0] = new Thread(() -> limiter[0].correct(fortyLeft));
                        second[0].start();
                        long deadline = System.nanoTime() + 30 * SECOND;
                        while (second[0].getState() != Thread.State.TERMINATED
                                && second[0].getState() != Thread.State.BLOCKED && System.nanoTime() - deadline < 0) {
                            Thread.onSpinWait();
                        }
                    }
                    return result;
                });
        limiter[0] = new BucketLimiter(interleaving, null, 100, 0);
        limiter[0].correct(fortyLeft);
        second[0].join(30_000);
        assertThat(limiter[0].wouldWait(0)).as("wait, in ns, for the next request").isZero();
        long admitted = 0;
        while (admitted < 100 && limiter[0].acquire(0, 0) == 0) {
            admitted++;
        }
        assertThat(admitted).as("requests admitted after the provider said 40 are left").isEqualTo(40);
    }

    @Test
    void nothingLeftWithinAMinutesResetMeansTheNextTokenAsOurRefillBringsIt() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 60, 6000, clock);
        limiter.correct(new RateLimitHeaders(RateLimitHeaders.UNKNOWN, 0, RateLimitHeaders.UNKNOWN, 30 * SECOND));
        assertThat(limiter.acquire(1, 60 * SECOND)).isEqualTo(60 * SECOND / 6000);
        assertThat(limiter.wouldWait(0)).isZero(); // the requests were not said to be spent
    }

    /**
     * OpenAI's documented sample (rate limits guide, "Rate limits in headers"): 59 of 60 requests and
     * 149,984 of 150,000 tokens left, the tokens whole again in 6m0s. The count is what is left, whatever
     * the reset says: no debt of 150,000 - 2,500/s x 360 s.
     */
    @Test
    void aCountTheProviderGivesIsWhatIsLeftWhateverItsResetSays() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 60, 150_000, clock);
        limiter.correct(new RateLimitHeaders(59, 149_984, SECOND, 360 * SECOND));
        assertThat(limiter.wouldWait(149_984)).isZero();
        assertThat(limiter.wouldWait(149_985)).as("one token short at 2,500 a second").isEqualTo(400_000L);
        assertThat(limiter.acquire(16, 0)).isZero();
    }

    /**
     * Groq sends OpenAI's names, but its request headers count requests per day (its rate limits page):
     * 14,370 left today, whole again in 2m59.56s. Against 30 requests a minute that is no correction.
     */
    @Test
    void aPerDayRequestCountAboveTheMinutesLimitLeavesItWhole() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 30, 0, clock);
        limiter.correct(RateLimitHeaders.parse(Map.of("x-ratelimit-remaining-requests", "14370",
                "x-ratelimit-remaining-tokens", "5990", "x-ratelimit-reset-requests", "2m59.56s",
                "x-ratelimit-reset-tokens", "100ms")::get));
        for (int i = 0; i < 30; i++) {
            assertThat(limiter.acquire(0, 0)).as("request %d of the minute", i + 1).isZero();
        }
        assertThat(limiter.wouldWait(0)).isEqualTo(2 * SECOND);
    }

    @Test
    void aResetWithoutACountLowersTheLimitAtMostToNothingLeft() {
        RateLimiter limiter = RateLimitStore.inProcess().limiter("k", 60, 6000, clock);
        // the requests whole again in 120 s, further than a minute's refill: nothing left, never a debt
        limiter.correct(new RateLimitHeaders(RateLimitHeaders.UNKNOWN, 6000, 120 * SECOND, RateLimitHeaders.UNKNOWN));
        assertThat(limiter.wouldWait(0)).as("the next request, as the refill brings it").isEqualTo(SECOND);

        RateLimiter other = RateLimitStore.inProcess().limiter("k", 60, 6000, clock);
        // whole again in 30 s: at least the 30 our refill brings in that time are spent
        other.correct(new RateLimitHeaders(RateLimitHeaders.UNKNOWN, 6000, 30 * SECOND, RateLimitHeaders.UNKNOWN));
        for (int i = 0; i < 30; i++) {
            assertThat(other.acquire(0, 0)).isZero();
        }
        assertThat(other.wouldWait(0)).isEqualTo(SECOND);
    }

    /** Redis failed between the two reservations: the request is given back, and the failure goes up. */
    @Test
    void aTokenBucketThatFailsGivesTheRequestBack() {
        RuntimeException gone = new IllegalStateException("Redis gone");
        Bucket failing = (Bucket) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {Bucket.class}, (proxy, m, args) -> {
                    throw gone;
                });
        Bucket requests = Bucket.builder().addLimit(BucketLimiter.perMinute(1))
                .withCustomTimePrecision(BucketLimiter.meter(clock, false)).build();
        BucketLimiter limiter = new BucketLimiter(requests, failing, 1, 1000);
        assertThat(catchThrowable(() -> limiter.acquire(10, 0))).isSameAs(gone);
        assertThat(requests.getAvailableTokens()).as("the minute's one request").isEqualTo(1);
    }

    @Test
    void oneStoreHandsOutOneLimiterPerKey() {
        RateLimitStore store = RateLimitStore.inProcess();
        assertThat(store.limiter("a", 1, 0, clock)).isSameAs(store.limiter("a", 1, 0, clock))
                .isNotSameAs(store.limiter("b", 1, 0, clock));
    }
    /** As the fleet's limit: a bucket refills whatever the clock reads, Long.MAX_VALUE passed included. */
    @ParameterizedTest
    @ValueSource(longs = {1_000_000_000L, 0L, -5_000_000_000L, Long.MIN_VALUE + 1_000_000_000L,
            Long.MAX_VALUE - 300_000_000_000L})
    void anInProcessLimitIsFullAgainAfterTenQuietMinutesWhateverTheClockReads(long origin) {
        VirtualTimeSource clock = new VirtualTimeSource(origin);
        RateLimiter limiter = RateLimitStore.inProcess().limiter("origin-free", 1, 0, clock);
        assertThat(limiter.acquire(0, 0)).isZero();
        clock.advance(Duration.ofMinutes(10));
        assertThat(limiter.acquire(0, 0)).as("wait after ten quiet minutes").isZero();
    }
}
