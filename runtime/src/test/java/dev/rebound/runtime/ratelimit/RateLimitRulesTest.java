package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.annotations.RateLimit;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.Definitions;
import dev.rebound.runtime.internal.RateLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad input, in the same words through the annotation and the builder, each attribute named. */
class RateLimitRulesTest {

    interface Bad {
        @RateLimit(requestsPerMinute = 0, tokensPerMinute = 1000)
        void noRequestLimit();

        @RateLimit(requestsPerMinute = 10, tokensPerMinute = -1, maxOutputTokens = -2, maxDelay = -3)
        void negatives();

        @RateLimit(requestsPerMinute = -5)
        void negativeRequests();

        @RateLimit(requestsPerMinute = 10, maxOutputTokens = 4000)
        void answerBudgetWithoutATokenLimit();

        @RateLimit(requestsPerMinute = 10, tokensPerMinute = Long.MAX_VALUE)
        void noPracticalTokenLimit();
    }

    static RateLimit on(String method) throws NoSuchMethodException {
        return Bad.class.getMethod(method).getAnnotation(RateLimit.class);
    }

    @Test
    void aTokenLimitWithoutARequestLimitIsNamed() throws Exception {
        List<String> problems = new ArrayList<>();
        assertThat(RateLimits.fromAnnotation(on("noRequestLimit"), "Bad.noRequestLimit()", problems)).isNull();
        assertThat(problems).containsExactly("Bad.noRequestLimit(): @RateLimit.requestsPerMinute = 0 is below 1 "
                + "(a token limit needs a request limit)");
        assertThatThrownBy(() -> RateLimitPolicy.builder().tokensPerMinute(1000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestsPerMinute = 0 is below 1 (a token limit needs a request limit)");
    }

    @Test
    void everyAttributeOutOfBoundsIsReportedAtOnce() throws Exception {
        List<String> problems = new ArrayList<>();
        RateLimits.fromAnnotation(on("negatives"), "Bad.negatives()", problems);
        RateLimits.fromAnnotation(on("negativeRequests"), "Bad.negativeRequests()", problems);
        assertThat(problems).containsExactly(
                "Bad.negatives(): @RateLimit.tokensPerMinute = -1 is negative (0 = no token limit)",
                "Bad.negatives(): @RateLimit.maxOutputTokens = -2 is negative",
                "Bad.negatives(): @RateLimit.maxDelay = -3 ms is negative",
                "Bad.negativeRequests(): @RateLimit.requestsPerMinute = -5 is below 1");
        // the builder says the same, attribute by attribute, as each value is set
        assertThatThrownBy(() -> RateLimitPolicy.builder().requestsPerMinute(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("requestsPerMinute = -5 is below 1");
        assertThatThrownBy(() -> RateLimitPolicy.builder().tokensPerMinute(1000).requestsPerMinute(0))
                .hasMessage("requestsPerMinute = 0 is below 1 (a token limit needs a request limit)");
        assertThatThrownBy(() -> RateLimitPolicy.builder().tokensPerMinute(-1))
                .hasMessage("tokensPerMinute = -1 is negative (0 = no token limit)");
        assertThatThrownBy(() -> RateLimitPolicy.builder().maxOutputTokens(-2))
                .hasMessage("maxOutputTokens = -2 is negative");
        assertThatThrownBy(() -> RateLimitPolicy.builder().maxDelay(Duration.ofMillis(-3)))
                .hasMessage("maxDelay = -3 ms is negative");
    }

    /**
     * Bucket4j refills at most one token a nanosecond and refuses a faster bucket when it is built, on the
     * first call, where the failure went to the fallbacks and the primary was never called: such a limit
     * ({@code Long.MAX_VALUE} for "no practical limit") is refused when resolved, and the fastest it keeps works.
     */
    @Test
    void aTokenLimitFasterThanBucket4jRefillsIsRefusedWhenResolvedAndTheFastestItKeepsWorks() throws Exception {
        List<String> problems = new ArrayList<>();
        assertThat(RateLimits.fromAnnotation(on("noPracticalTokenLimit"), "Bad.noPracticalTokenLimit()", problems))
                .isNull();
        assertThat(problems).containsExactly("Bad.noPracticalTokenLimit(): @RateLimit.tokensPerMinute = "
                + "9223372036854775807 is above 60000000000, one token a nanosecond, the fastest refill Bucket4j "
                + "keeps (0 = no token limit)");
        assertThatThrownBy(() -> RateLimitPolicy.builder().tokensPerMinute(60_000_000_001L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokensPerMinute = 60000000001 is above 60000000000, one token a nanosecond, the "
                        + "fastest refill Bucket4j keeps (0 = no token limit)");

        RateLimitPolicy fastest = RateLimitPolicy.builder().key("fastest-refill").requestsPerMinute(10)
                .tokensPerMinute(60_000_000_000L).build();
        Runnable call = Rebound.wrap(Runnable.class, () -> { }).withRateLimit(fastest).build();
        call.run(); // the bucket is built on the first call: Bucket4j accepts it
    }

    /** Without a token limit no token is charged or estimated: an answer budget or an estimator is refused. */
    @Test
    void maxOutputTokensOrAnEstimatorWithoutATokenLimitIsRefusedNotIgnored() throws Exception {
        List<String> problems = new ArrayList<>();
        assertThat(RateLimits.fromAnnotation(on("answerBudgetWithoutATokenLimit"), "Bad.answerBudgetWithoutATokenLimit()",
                problems)).isNull();
        assertThat(problems).containsExactly("Bad.answerBudgetWithoutATokenLimit(): @RateLimit.maxOutputTokens = 4000"
                + " needs @RateLimit.tokensPerMinute above 0");
        assertThatThrownBy(() -> RateLimitPolicy.builder().requestsPerMinute(10).maxOutputTokens(4000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxOutputTokens = 4000 needs tokensPerMinute above 0");
        assertThatThrownBy(() -> RateLimitPolicy.builder().requestsPerMinute(10).tokenEstimator(arguments -> 7).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokenEstimator needs tokensPerMinute above 0");
        // the default, written or not, is no choice; with a token limit both are used
        assertThat(RateLimitPolicy.builder().requestsPerMinute(10).maxOutputTokens(256)
                .tokenEstimator(TokenEstimator.heuristic()).build().maxOutputTokens()).isEqualTo(256);
        assertThat(RateLimit.class.getMethod("maxOutputTokens").getDefaultValue())
                .isEqualTo(RateLimitPolicy.builder().requestsPerMinute(1).build().maxOutputTokens());
        assertThat(RateLimitPolicy.builder().requestsPerMinute(10).tokensPerMinute(1000).maxOutputTokens(4000)
                .tokenEstimator(arguments -> 7).build().maxOutputTokens()).isEqualTo(4000);
    }

    @Test
    void aKeySharedWithOtherLimitsIsAProblemNamingBoth() {
        ReboundSettings settings = ReboundSettings.builder().build();
        List<String> problems = new ArrayList<>();
        RateLimitPolicy a = RateLimitPolicy.builder().key("openai").requestsPerMinute(500).build();
        RateLimitPolicy b = RateLimitPolicy.builder().key("openai").requestsPerMinute(500).tokensPerMinute(9000).build();
        Definitions build = new Definitions();
        RateLimits.check(settings, a, "Chat.a()", "Chat", "@RateLimit.key", build, problems);
        RateLimits.check(settings, a, "Chat.c()", "Chat", "@RateLimit.key", build, problems);
        RateLimits.check(settings, b, "Chat.b()", "Chat", "@RateLimit.key", build, problems);
        assertThat(problems).containsExactly("Chat.b(): @RateLimit.key names rate limit \"openai\" "
                + "(requestsPerMinute 500, tokensPerMinute 0) with requestsPerMinute 500, tokensPerMinute 9000; "
                + "every method naming a rate limit key must give it the same limits");
        // other settings, other store: no conflict
        List<String> none = new ArrayList<>();
        RateLimits.check(ReboundSettings.builder().build(), b, "Chat.b()", "Chat", "@RateLimit.key",
                new Definitions(), none);
        assertThat(none).isEmpty();
    }

    @Test
    void aValidAnnotationBecomesThePolicyItSays() throws Exception {
        @SuppressWarnings("unused")
        interface Good {
            @RateLimit(key = "openai", requestsPerMinute = 500, tokensPerMinute = 30_000, maxOutputTokens = 100,
                    maxDelay = 2, unit = java.util.concurrent.TimeUnit.SECONDS)
            void chat();
        }
        List<String> problems = new ArrayList<>();
        RateLimitPolicy p = RateLimits.fromAnnotation(Good.class.getMethod("chat").getAnnotation(RateLimit.class),
                "Good.chat()", problems);
        assertThat(problems).isEmpty();
        assertThat(p.key()).isEqualTo("openai");
        assertThat(p.requestsPerMinute()).isEqualTo(500);
        assertThat(p.tokensPerMinute()).isEqualTo(30_000);
        assertThat(p.maxOutputTokens()).isEqualTo(100);
        assertThat(p.maxDelay()).isEqualTo(Duration.ofSeconds(2));
    }
}
