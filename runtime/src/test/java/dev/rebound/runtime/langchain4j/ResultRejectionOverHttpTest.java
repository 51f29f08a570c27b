package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.Result;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.RejectedResultException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, item 4, over real HTTP: answers that arrive as 200 but are failures are retried, or sent
 * straight to the fallbacks, and counted apart from failures.
 */
class ResultRejectionOverHttpTest {

    private static final ChatRequest REQUEST = ChatRequest.builder().messages(UserMessage.from("Explain backoff")).build();
    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    private final LoopbackModels.Recording rec = new LoopbackModels.Recording();

    private long count(ReboundEvent.Kind kind) {
        return rec.events.stream().filter(e -> e.kind() == kind).count();
    }

    @Test
    void aBlankAnswerIsRetriedAndCountedApartFromFailures() {
        server.script("gpt-4", Fault.blankAnswer());
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false)
                        .retryOnResult(ChatResults.blank()).build())
                .settings(rec.settings()).build();

        ChatResponse r = model.chat(REQUEST);

        assertThat(r.aiMessage().text()).isEqualTo(ModelServer.answerFor("gpt-4", "Explain backoff"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(count(ReboundEvent.Kind.RESULT_REJECTED)).isEqualTo(1);
        assertThat(count(ReboundEvent.Kind.ATTEMPT_FAILED)).isZero();
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    /** An AiServices assistant that answers with langchain4j's Result: its text, finish reason and token usage. */
    interface Detailed {
        @Retry(attempts = 2, delay = 100, jitter = false, onResult = ChatResults.Blank.class)
        Result<String> answer(String question);
    }

    @Test
    void aBlankAnswerOfAnAiServicesAssistantReturningResultIsRetried() {
        server.script("gpt-4", Fault.blankAnswer());
        Detailed detailed = Rebound.wrap(Detailed.class, AiServices.create(Detailed.class, openAi(server, "gpt-4")))
                .settings(rec.settings()).build();

        Result<String> answer = detailed.answer("What is retry?");

        assertThat(answer.content()).isEqualTo(ModelServer.answerFor("gpt-4", "What is retry?"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(count(ReboundEvent.Kind.RESULT_REJECTED)).isEqualTo(1);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    interface CutShort {
        @Fallback(to = LargerCutShort.class, onResult = ChatResults.Truncated.class)
        Result<String> answer(String question);
    }

    interface LargerCutShort extends CutShort {
    }

    @Test
    void aTruncatedAnswerOfAnAiServicesAssistantReturningResultGoesStraightToTheLargerModel() {
        server.always("gpt-4", Fault.truncatedAnswer());
        ReboundSettings settings = rec.settings().toBuilder()
                .alternatives(type -> AiServices.create(type, openAi(server, "gpt-4-32k"))).build();
        CutShort assistant = Rebound.wrap(CutShort.class, AiServices.create(CutShort.class, openAi(server, "gpt-4")))
                .settings(settings).build();

        Result<String> answer = assistant.answer("Explain backoff");

        assertThat(answer.content()).isEqualTo(ModelServer.answerFor("gpt-4-32k", "Explain backoff"));
        assertThat(answer.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(server.requests("gpt-4")).isEqualTo(1);
        assertThat(server.requests("gpt-4-32k")).isEqualTo(1);
        assertThat(rec.exhaustedReasons()).containsExactly("result-rejected");
    }

    @Test
    void aTruncatedAnswerGoesStraightToTheLargerModel() {
        server.always("gpt-4", Fault.truncatedAnswer());
        // docs:llm-truncated-to-larger
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(3).build())
                .withFallbacks(openAi(server, "gpt-4-32k"))
                .fallbackOnResult(ChatResults.truncated())   // cut off: no retry, the larger model at once
                .settings(rec.settings())
                .build();
        ChatResponse r = model.chat(REQUEST);   // a ChatResponse: chat(String) has no finish reason to judge
        // /docs:llm-truncated-to-larger

        assertThat(r.aiMessage().text()).isEqualTo(ModelServer.answerFor("gpt-4-32k", "Explain backoff"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(server.requests("gpt-4")).isEqualTo(1);
        assertThat(rec.exhaustedReasons()).containsExactly("result-rejected");
        assertThat(rec.clock.sleeps()).isEmpty();
    }

    /**
     * The guide's snippet puts its predicate on every ChatModel method; chat(String) returns the text
     * only, with no finish reason to judge: said at build, naming the method, rather than a half answer
     * returned in silence (ModelProvider provider() neither).
     */
    @Test
    void aFinishReasonCheckOverChatStringIsNamedAtBuildSinceItsTextHasNoFinishReason() {
        server.always("gpt-4", Fault.truncatedAnswer());
        String log = dev.rebound.runtime.StdErr.during(() -> Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withFallbacks(openAi(server, "gpt-4-32k")).fallbackOnResult(ChatResults.truncated())
                .settings(rec.settings()).build());

        String judges = ": fallbackOnResult dev.rebound.runtime.langchain4j.ChatResults$Truncated judges a"
                + " dev.langchain4j.model.chat.response.ChatResponse or a dev.langchain4j.service.Result, which a method"
                + " returning ";
        String remedy = " never returns: it would never reject a result (declare the method to return"
                + " dev.langchain4j.model.chat.response.ChatResponse, as ChatModel.chat(ChatRequest) does, or"
                + " dev.langchain4j.service.Result, as an AiServices method can, since a %s has no finish reason, or"
                + " name a predicate of ";
        assertThat(log).contains("WARN dev.rebound - Rebound.wrap(ChatModel) with builder policies: a result"
                + " predicate never judges some methods' results, which go unjudged: ChatModel.chat(String)" + judges
                + "java.lang.String" + remedy.formatted("String") + "java.lang.String); ChatModel.provider()" + judges
                + "dev.langchain4j.model.ModelProvider" + remedy.formatted("ModelProvider")
                + "dev.langchain4j.model.ModelProvider)");
    }

    @Test
    void whenEveryTargetsAnswerIsRejectedTheCallerGetsTheLastRejectedResult() {
        server.always("gpt-4", Fault.truncatedAnswer());
        server.always("gpt-4-32k", Fault.truncatedAnswer());
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .withFallbacks(openAi(server, "gpt-4-32k"))
                .fallbackOnResult(ChatResults.truncated())
                .settings(rec.settings()).build();

        Throwable thrown = catchThrowable(() -> model.chat(REQUEST));

        assertThat(thrown).isInstanceOf(RejectedResultException.class)
                .hasMessageContaining("rejected by Truncated").hasMessageNotContaining("Explain");
        RejectedResultException rejected = (RejectedResultException) thrown;
        assertThat(rejected.result(ChatResponse.class).finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(rejected.sendsToFallbacks()).isTrue();
        assertThat(rejected.getSuppressed()).singleElement().isInstanceOf(RejectedResultException.class);
        RejectedResultException last = (RejectedResultException) rejected.getSuppressed()[0];
        assertThat(last.result(ChatResponse.class).aiMessage().text())
                .isEqualTo(ModelServer.answerFor("gpt-4-32k", "Explain backoff").substring(0,
                        ModelServer.answerFor("gpt-4-32k", "Explain backoff").length() / 2));
        assertThat(server.requests("gpt-4")).isEqualTo(1);
        assertThat(server.requests("gpt-4-32k")).isEqualTo(1);
    }

    @Test
    void retriedRejectionsThatRunOutGoToTheFallbacks() {
        server.always("gpt-4", Fault.contentFiltered());
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO)
                        .retryOnResult(ChatResults.contentFiltered()).build())
                .withFallbacks(openAi(server, "claude"))
                .settings(rec.settings()).build();

        assertThat(model.chat(REQUEST).aiMessage().text()).isEqualTo(ModelServer.answerFor("claude", "Explain backoff"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(rec.exhaustedReasons()).containsExactly("attempts");
        assertThat(count(ReboundEvent.Kind.RESULT_REJECTED)).isEqualTo(2);
    }

    @Test
    void micrometerCountsRejectedResultsApartFromFailures() {
        server.script("gpt-4", Fault.blankAnswer());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO)
                        .retryOnResult(ChatResults.blank()).build())
                .settings(dev.rebound.runtime.ReboundSettings.builder().timeSource(rec.clock).logging(false)
                        .listener(new dev.rebound.runtime.metrics.MicrometerListener(registry)).build())
                .build();

        model.chat(REQUEST);

        assertThat(registry.find(dev.rebound.runtime.metrics.MicrometerListener.RESULTS_REJECTED).counter().count())
                .isEqualTo(1.0);
    }
}
