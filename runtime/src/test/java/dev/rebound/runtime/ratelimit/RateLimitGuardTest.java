package dev.rebound.runtime.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.langchain4j.Langchain4jTokens;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One method's side of a limit: estimates, waits on the virtual clock, refusals, reconciliation. */
class RateLimitGuardTest {

    static final long SECOND = 1_000_000_000L;
    final VirtualTimeSource clock = new VirtualTimeSource();

    RateLimitGuard guard(RateLimitPolicy policy) {
        return new RateLimitGuard("Chat.chat(String)", "openai", policy,
                RateLimitStore.inProcess().limiter("openai", policy.requestsPerMinute(), policy.tokensPerMinute(), clock),
                clock);
    }

    @Test
    void theHeuristicCountsFourCharactersATokenAndFourAMessage() {
        assertThat(TokenEstimator.heuristic().promptTokens(new Object[] {"12345678", "123"})).isEqualTo(3);
        ChatRequest request = ChatRequest.builder()
                .messages(SystemMessage.from("12345678"), UserMessage.from("1234")).maxOutputTokens(50).build();
        assertThat(TokenEstimator.heuristic().promptTokens(new Object[] {request})).isEqualTo(2 + 4 + 1 + 4);
        assertThat(TokenEstimator.heuristic().promptTokens(new Object[] {List.of(UserMessage.from("12")), 42}))
                .isEqualTo(1 + 4);
        RateLimitGuard g = guard(RateLimitPolicy.builder().requestsPerMinute(10).tokensPerMinute(1000)
                .maxOutputTokens(100).build());
        assertThat(g.estimate(new Object[] {request})).isEqualTo(11 + 50); // the request's maxOutputTokens
        assertThat(g.estimate(new Object[] {"12345678"})).isEqualTo(2 + 100); // the policy's
    }

    @Test
    void langchain4jsEstimatorIsUsedWhenGiven() {
        TokenEstimator e = Langchain4jTokens.estimator(new dev.langchain4j.model.TokenCountEstimator() {
            @Override
            public int estimateTokenCountInText(String text) {
                return text.length();
            }

            @Override
            public int estimateTokenCountInMessage(dev.langchain4j.data.message.ChatMessage message) {
                return 100;
            }

            @Override
            public int estimateTokenCountInMessages(Iterable<dev.langchain4j.data.message.ChatMessage> messages) {
                return 1000;
            }
        });
        assertThat(e.promptTokens(new Object[] {"abc", UserMessage.from("x"),
                ChatRequest.builder().messages(UserMessage.from("y")).build()})).isEqualTo(3 + 100 + 1000);
    }

    @Test
    void aCallWaitsOnTheClockWhenItMayAndIsRefusedAtOnceWhenItMayNot() throws Exception {
        RateLimitGuard g = guard(RateLimitPolicy.builder().requestsPerMinute(1).maxDelay(Duration.ofSeconds(90)).build());
        assertThat(g.acquire(0, Long.MAX_VALUE)).isZero();
        assertThat(g.acquire(0, Long.MAX_VALUE)).isEqualTo(60 * SECOND);
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(60));
        // the deadline leaves 30 s: a 60 s wait is refused at once, without sleeping
        assertThatThrownBy(() -> g.acquire(0, 30 * SECOND)).isInstanceOf(RateLimitRefusedException.class)
                .hasMessage("rate limit \"openai\" refused Chat.chat(String): the wait is longer than the 30000 ms allowed");
        assertThat(clock.sleeps()).hasSize(1);
    }

    @Test
    void anInterruptedWaitGivesBackWhatItTook() throws Exception {
        RateLimitGuard g = guard(RateLimitPolicy.builder().requestsPerMinute(1).maxDelay(Duration.ofSeconds(90)).build());
        g.acquire(0, Long.MAX_VALUE);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> g.acquire(0, Long.MAX_VALUE)).isInstanceOf(InterruptedException.class);
        // the reservation was released: the next caller waits 60 s, not 120 s
        assertThat(g.acquire(0, Long.MAX_VALUE)).isEqualTo(60 * SECOND);
    }

    @Test
    void tokensAreReconciledWithTheUsageTheResponseReports() throws Exception {
        RateLimitGuard g = guard(RateLimitPolicy.builder().requestsPerMinute(100).tokensPerMinute(1000)
                .maxOutputTokens(300).build());
        long charged = g.estimate(new Object[] {"x".repeat(400)});
        assertThat(charged).isEqualTo(400);
        g.acquire(charged, Long.MAX_VALUE);
        ChatResponse response = ChatResponse.builder().aiMessage(AiMessage.from("ok"))
                .tokenUsage(new TokenUsage(100, 20)).build();
        assertThat(g.settle(charged, response, false)).isEqualTo(-280);
        // 1000 - 120 left: 880 tokens now, 881 would wait
        assertThat(g.acquire(880, 0)).isZero();
        assertThat(g.settle(880, null, true)).isEqualTo(-880); // a failed call is refunded
        assertThat(g.acquire(880, 0)).isZero();
    }

    @Test
    void theResponsesHeadersSeenOnTheThreadCorrectTheLimiter() throws Exception {
        RateLimitGuard g = guard(RateLimitPolicy.builder().requestsPerMinute(60).maxDelay(Duration.ofMinutes(1)).build());
        g.acquire(0, Long.MAX_VALUE);
        RateLimitHeaders.record(new RateLimitHeaders(0, RateLimitHeaders.UNKNOWN, 10 * SECOND, RateLimitHeaders.UNKNOWN));
        g.settle(0, "answer", false);
        // nothing left: the next request when the refill brings it, 1 s (not the 10 s until the limit is whole)
        assertThat(g.acquire(0, 60 * SECOND)).isEqualTo(SECOND);
    }
    @Test
    void headersAnEarlierRequestLeftOnTheThreadAreNotThisAttemptsOwn() throws Exception {
        List<RateLimitHeaders> corrections = new ArrayList<>();
        RateLimiter real = RateLimitStore.inProcess().limiter("guard-stale-headers", 60, 0, clock);
        RateLimiter recording = new RateLimiter() {
            @Override
            public long acquire(long tokens, long maxWaitNanos) {
                return real.acquire(tokens, maxWaitNanos);
            }

            @Override
            public long wouldWait(long tokens) {
                return real.wouldWait(tokens);
            }

            @Override
            public void adjustTokens(long delta) {
                real.adjustTokens(delta);
            }

            @Override
            public void release(long tokens) {
                real.release(tokens);
            }

            @Override
            public void correct(RateLimitHeaders remaining) {
                corrections.add(remaining);
                real.correct(remaining);
            }
        };
        RateLimitGuard g = new RateLimitGuard("Chat.chat(String)", "guard-stale-headers",
                RateLimitPolicy.builder().requestsPerMinute(60).build(), recording, clock);
        try {
            RateLimitHeaders.record(new RateLimitHeaders(0, RateLimitHeaders.UNKNOWN, 60 * SECOND,
                    RateLimitHeaders.UNKNOWN)); // another client's response, before this attempt
            g.acquire(0, Long.MAX_VALUE);
            g.settle(0, null, true); // this attempt's request got no response: no headers of its own

            assertThat(corrections).as("corrected by headers this attempt never saw").isEmpty();
        } finally {
            RateLimitHeaders.clear();
        }
    }
}
