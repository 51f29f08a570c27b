package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rate limit and the retry budget (after {@link OriginFreeTimeTest}'s policies), on a clock whose
 * reading wraps around Long.MAX_VALUE during the script: the same script gives the same outcome
 * whatever the origin. Bucket4j compares readings absolutely, so its meter reads the time since the
 * source's first reading; the budget counts its seconds from the first reading it was asked with.
 */
class OriginFreePoliciesTest {

    /** Reads 1 s at first, as VirtualTimeSource's default. */
    static final long ORDINARY = 1_000_000_000L;

    /**
     * A rate limit of 1 request per minute (maxDelay 90 s): a call, ten quiet minutes, then three calls.
     * After ten minutes the bucket is full again: the first of the three goes at once, the second waits 60 s,
     * the third would wait 120 s and goes to the fallback.
     */
    static List<String> rateLimitScript(long origin) {
        VirtualTimeSource time = new VirtualTimeSource(origin);
        Events events = new Events();
        Model.Fake target = new Model.Fake("primary");
        Model model = Rebound.wrap(Model.class, (Model) target)
                .withRateLimit(RateLimitPolicy.builder().key("wrap").requestsPerMinute(1)
                        .maxDelay(Duration.ofSeconds(90)).build())
                .withFallbacks(p -> "spare:" + p)
                .settings(events.settings(time)).build();
        List<String> out = new ArrayList<>();
        out.add(model.chat("a"));
        time.advance(Duration.ofMinutes(10));
        out.add(model.chat("b"));
        out.add(model.chat("c"));
        out.add(model.chat("d"));
        out.add("sleeps " + time.sleeps());
        return out;
    }

    @Test
    void aRateLimitRefillsAfterTenQuietMinutesWhateverTheClockReadsAtTheStart() {
        List<String> reference = rateLimitScript(ORDINARY);
        assertThat(reference).containsExactly("primary:a", "primary:b", "primary:c", "primary:d",
                "sleeps [PT1M, PT1M]");

        // the clock passes Long.MAX_VALUE during the quiet ten minutes
        assertThat(rateLimitScript(Long.MAX_VALUE - Duration.ofMinutes(5).toNanos())).isEqualTo(reference);
    }

    /**
     * A retry budget of 10 retries per 10 s window (ratio ~0, 1 per second): ten failing calls retry
     * once each, the eleventh is refused by the budget; 5 s later the ten retries are still in the
     * window, so the twelfth is refused too.
     */
    static List<String> budgetScript(long origin) {
        return budgetScript(origin, Duration.ofSeconds(5));
    }

    static List<String> budgetScript(long origin, Duration quiet) {
        VirtualTimeSource time = new VirtualTimeSource(origin);
        Events events = new Events();
        Model.Fake target = new Model.Fake("primary").down();
        Model model = Rebound.wrap(Model.class, (Model) target)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).jitter(false)
                        .budgetRatio(0.001).budgetMinPerSecond(1).build())
                .withFallbacks(p -> "spare:" + p)
                .settings(events.settings(time)).build();
        for (int i = 0; i < 11; i++) {
            model.chat("q");
        }
        time.advance(quiet);
        model.chat("q");
        List<String> out = new ArrayList<>();
        out.add("calls " + target.calls.get());
        for (ReboundEvent e : events.of(Kind.RETRIES_EXHAUSTED)) {
            out.add(e.reason());
        }
        return out;
    }

    @Test
    void aRetryBudgetSpentJustBeforeTheClockWrapsIsStillSpentAfter() {
        List<String> reference = budgetScript(ORDINARY);
        assertThat(reference.get(0)).isEqualTo("calls 22"); // 12 first attempts + 10 retries
        assertThat(reference.subList(reference.size() - 2, reference.size())).containsExactly("budget", "budget");

        // the clock passes Long.MAX_VALUE during the 5 s
        assertThat(budgetScript(Long.MAX_VALUE - 2_000_000_000L)).isEqualTo(reference);
    }

    /**
     * "Retries within the last 10 s" (docs/guides/policies.md): 9.6 s after ten retries they are still
     * within the last 10 s, whatever the clock read at the start (here: 1 s, or 1.5 s).
     */
    @Test
    void theBudgetsWindowDoesNotDependOnTheSubSecondPartOfTheOrigin() {
        List<String> reference = budgetScript(ORDINARY, Duration.ofMillis(9_600));
        assertThat(reference.subList(reference.size() - 2, reference.size())).containsExactly("budget", "budget");
        assertThat(budgetScript(1_500_000_000L, Duration.ofMillis(9_600))).isEqualTo(reference);
    }
}
