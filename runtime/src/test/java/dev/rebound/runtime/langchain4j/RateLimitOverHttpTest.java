package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import java.time.Duration;
import java.util.List;
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
