package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rate limit with langchain4j's real HTTP client against the model server: the response's
 * x-ratelimit headers correct the limiter, and its token usage reconciles the estimate.
 */
class RateLimitOverHttpTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    static final ModelServer server = models.server();

    /** What the wrapper sees: langchain4j's ChatModel, called with a ChatRequest. */
    public interface Model {
        ChatResponse chat(ChatRequest request);
    }

    @Test
    void theServersRemainingCountHoldsTheNextCallBackBeforeItWouldBeRefused() {
        server.reset();
        server.limitRequestsPerMinute("gpt-4o", 2); // the provider allows 2 a minute
        LoopbackModels.Recording rec = new LoopbackModels.Recording();
        ChatModel gpt4o = LoopbackModels.openAi(server, "gpt-4o");
        // our limit believes in 60 a minute: the provider's headers say otherwise
        Model model = Rebound.wrap(Model.class, (Model) gpt4o::chat)
                .withRateLimit(RateLimitPolicy.builder().key("http").requestsPerMinute(60)
                        .maxDelay(Duration.ofSeconds(5)).build())
                .settings(rec.settings()).build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("hello")).build();
        model.chat(request);
        model.chat(request);
        assertThat(rec.clock.sleeps()).isEmpty();
        // the second answer said 0 remaining: our limiter was lowered to 0, the third waits our refill (1 s);
        // on the virtual clock, so the server's own (real-time) bucket still refuses it
        assertThatThrownBy(() -> model.chat(request)).isInstanceOf(RateLimitException.class);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofSeconds(1));
        assertThat(rec.events).filteredOn(e -> e.kind() == Kind.RATE_LIMIT_WAITED).extracting(ReboundEvent::waitTime)
                .containsExactly(Duration.ofSeconds(1));
    }

    /**
     * rate-limits.md, Settle: a reset without its count is used, the limit whole again then, so what our
     * refill brings in that time is spent. An answer whose only rate-limit header is
     * {@code x-ratelimit-reset-requests: 1m0s} spends our 2-a-minute limit: the next call (maxDelay 0) goes to
     * the fallback, not to the provider.
     */
    @Test
    void aResponseGivingOnlyAResetLowersTheLimiter() {
        assertThat(twoCallsAfterAnAnswerWith("reset-only", Fault.answer()
                .withHeader("x-ratelimit-reset-requests", "1m0s"))).as("requests the spent limit let through")
                .isEqualTo(1);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
    }

    /** The control: the same reset beside a count of the other limit (tokens). */
    @Test
    void theSameResetBesideATokenCountLowersTheLimiter() {
        assertThat(twoCallsAfterAnAnswerWith("reset-with-token-count", Fault.answer()
                .withHeader("x-ratelimit-reset-requests", "1m0s").withHeader("x-ratelimit-remaining-tokens", "100000")))
                .isEqualTo(1);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
    }

    /** Two calls to gpt-4o under 2 requests a minute, maxDelay 0, falling back to gpt-3.5-turbo; its requests. */
    private int twoCallsAfterAnAnswerWith(String key, Fault first) {
        server.reset();
        server.script("gpt-4o", first);
        LoopbackModels.Recording rec = new LoopbackModels.Recording();
        ChatModel gpt4o = LoopbackModels.openAi(server, "gpt-4o");
        ChatModel backup = LoopbackModels.openAi(server, "gpt-3.5-turbo");
        Model model = Rebound.wrap(Model.class, (Model) gpt4o::chat)
                .withRateLimit(RateLimitPolicy.builder().key(key).requestsPerMinute(2).maxDelay(Duration.ZERO).build())
                .withFallbacks((Model) backup::chat)
                .settings(rec.settings()).build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("hello")).build();
        model.chat(request);
        model.chat(request);
        return server.requests("gpt-4o");
    }

    /** A rate-limited method that writes its answer through a streaming model and returns it whole. */
    public interface Writer {
        String write(String prompt);
    }

    /**
     * rate-limits.md, Settle: a streamed response's headers correct the limiter as a synchronous one's do.
     * gpt-4o streams its answer (OpenAiStreamingChatModel, through RetryAfterHttpClientBuilder, whose
     * response arrives on the JDK client's thread) saying no request is left: the next call (maxDelay 0)
     * goes to the fallback, not to the provider.
     */
    @Test
    void aStreamedAnswersRemainingCountCorrectsTheLimiterAsASynchronousOnesDoes() {
        LoopbackModels.Recording rec = new LoopbackModels.Recording();
        assertThat(twoStreamedCallsAfterAResponseWith("streamed-answer", rec, Fault.answer()
                .withHeader("x-ratelimit-remaining-requests", "0")))
                .containsExactly(ModelServer.answerFor("gpt-4o", "hello"), ModelServer.answerFor("gpt-3.5-turbo", "hello"));
        assertThat(server.requests("gpt-4o")).as("requests the spent limit let through").isEqualTo(1);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
        assertThat(rec.events).filteredOn(e -> e.kind() == Kind.RATE_LIMIT_REFUSED).extracting(ReboundEvent::reason)
                .containsExactly("rate-limit-exceeds-max-delay");
    }

    /** The same for a streamed response that failed (a 500 before its first token), as send records a failed one's. */
    @Test
    void aStreamedFailuresRemainingCountCorrectsTheLimiterToo() {
        LoopbackModels.Recording rec = new LoopbackModels.Recording();
        assertThat(twoStreamedCallsAfterAResponseWith("streamed-failure", rec, Fault.serverError()
                .withHeader("x-ratelimit-remaining-requests", "0")))
                .containsExactly(ModelServer.answerFor("gpt-3.5-turbo", "hello"), ModelServer.answerFor("gpt-3.5-turbo", "hello"));
        assertThat(server.requests("gpt-4o")).as("requests the spent limit let through").isEqualTo(1);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(2);
        assertThat(rec.events).filteredOn(e -> e.kind() == Kind.RATE_LIMIT_REFUSED).extracting(ReboundEvent::reason)
                .containsExactly("rate-limit-exceeds-max-delay");
    }

    /**
     * Two calls of a Writer streaming from gpt-4o under 2 requests a minute, maxDelay 0, falling back to one
     * streaming from gpt-3.5-turbo; the answers.
     */
    private List<String> twoStreamedCallsAfterAResponseWith(String key, LoopbackModels.Recording rec, Fault first) {
        server.reset();
        server.script("gpt-4o", first);
        Writer gpt4o = streamingWriter(LoopbackModels.openAiStreaming(server, "gpt-4o"));
        Writer backup = streamingWriter(LoopbackModels.openAiStreaming(server, "gpt-3.5-turbo"));
        Writer writer = Rebound.wrap(Writer.class, gpt4o)
                .withRateLimit(RateLimitPolicy.builder().key(key).requestsPerMinute(2).maxDelay(Duration.ZERO).build())
                .withFallbacks(backup)
                .settings(rec.settings()).build();
        return List.of(writer.write("hello"), writer.write("hello"));
    }

    /** Streams the answer and returns it whole once the stream completes; a failed stream throws its failure. */
    static Writer streamingWriter(StreamingChatModel model) {
        return prompt -> {
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            model.chat(prompt, new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String token) {
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    done.complete(response);
                }

                @Override
                public void onError(Throwable error) {
                    done.completeExceptionally(error);
                }
            });
            try {
                return done.get(5, TimeUnit.SECONDS).aiMessage().text();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void theResponsesUsageReconcilesTheEstimate() {
        server.reset();
        LoopbackModels.Recording rec = new LoopbackModels.Recording();
        ChatModel gpt4o = LoopbackModels.openAi(server, "gpt-4o");
        Model model = Rebound.wrap(Model.class, (Model) gpt4o::chat)
                .withRateLimit(RateLimitPolicy.builder().key("usage").requestsPerMinute(60).tokensPerMinute(10_000)
                        .build())
                .settings(rec.settings()).build();
        String prompt = "x".repeat(400); // 100 tokens by the heuristic, + 4 for the message
        ChatResponse answer = model.chat(ChatRequest.builder().messages(UserMessage.from(prompt)).maxOutputTokens(50)
                .build());
        long used = answer.tokenUsage().totalTokenCount(); // the server's: prompt length / 4 + 8
        List<Long> charged = rec.events.stream().filter(e -> e.kind() == Kind.RATE_LIMIT_TOKENS_CHARGED)
                .map(ReboundEvent::tokens).toList();
        List<Long> refunded = rec.events.stream().filter(e -> e.kind() == Kind.RATE_LIMIT_TOKENS_REFUNDED)
                .map(ReboundEvent::tokens).toList();
        assertThat(charged).containsExactly(154L);
        assertThat(refunded).containsExactly(154L - used);
    }
}
