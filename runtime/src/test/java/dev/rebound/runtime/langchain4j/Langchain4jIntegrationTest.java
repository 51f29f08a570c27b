package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.service.AiServices;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.Classifier;
import dev.rebound.runtime.internal.SelfRetryCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The langchain4j integration over real HTTP: classifier, self-retries, AiServices, model methods. */
class Langchain4jIntegrationTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    private final LoopbackModels.Recording rec = new LoopbackModels.Recording();

    @Test
    void defaultClassifierRetriesLangchain4jRetriableAndSkipsNonRetriable() {
        HttpException cause = new HttpException(500, "body");
        assertThat(Classifier.isTransient(new RateLimitException(cause))).isTrue();
        assertThat(Classifier.isTransient(new InternalServerException(cause))).isTrue();
        assertThat(Classifier.isTransient(new TimeoutException(cause))).isTrue();
        assertThat(Classifier.isTransient(new AuthenticationException(cause))).isFalse();
        assertThat(Classifier.isTransient(new InvalidRequestException(cause))).isFalse();
        assertThat(Classifier.isTransient(new ContentFilteredException("filtered"))).isFalse();
        assertThat(Classifier.isTransient(new ModelNotFoundException(cause))).isFalse();
    }

    // --- langchain4j's own retries

    @Test
    void detectsModelsThatStillRetryByThemselves() {
        assertThat(SelfRetryCheck.builtInRetries(OpenAiChatModel.builder().apiKey("k").build())).isEqualTo(2);
        assertThat(SelfRetryCheck.builtInRetries(OpenAiChatModel.builder().apiKey("k").maxRetries(5).build()))
                .isEqualTo(5);
        assertThat(SelfRetryCheck.builtInRetries(openAi(server, "gpt-4"))).isZero();
        assertThat(SelfRetryCheck.builtInRetries("not a model")).isZero();
    }

    @Test
    void detectsTheSelfRetryingModelBehindAnAiServicesProxy() {
        Assistant selfRetrying = AiServices.create(Assistant.class, OpenAiChatModel.builder().apiKey("k").build());
        Assistant fine = AiServices.create(Assistant.class, openAi(server, "gpt-4"));

        assertThat(SelfRetryCheck.builtInRetries(selfRetrying)).isEqualTo(2);
        assertThat(SelfRetryCheck.builtInRetries(fine)).isZero();
        assertThat(SelfRetryCheck.builtInRetries(java.lang.reflect.Proxy.newProxyInstance(
                Assistant.class.getClassLoader(), new Class<?>[] {Assistant.class}, (p, m, a) -> "x"))).isZero();
    }

    @Test
    void warnsOncePerModelClassNamingTheFixAndNothingElse() {
        OpenAiEmbeddingModel selfRetrying = OpenAiEmbeddingModel.builder().apiKey("sk-secret").build();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        boolean first;
        boolean second;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            first = SelfRetryCheck.warnIfSelfRetrying(selfRetrying, "Rebound.wrap(EmbeddingModel)");
            second = SelfRetryCheck.warnIfSelfRetrying(selfRetrying, "Rebound.wrap(EmbeddingModel)");
        } finally {
            System.setErr(err);
        }
        assertThat(first).isTrue();
        assertThat(second).isFalse();
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("OpenAiEmbeddingModel has its own retries on (maxRetries = 2)")
                .contains(".maxRetries(0)").doesNotContain("sk-secret");
    }

    @Test
    void withMaxRetriesZeroTheServerSeesExactlyThePolicysAttempts() {
        server.always("gpt-4", Fault.serverError());
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build())
                .settings(rec.settings()).build();

        try {
            model.chat("q");
        } catch (InternalServerException expected) {
            // the policy's three attempts are spent
        }

        assertThat(server.requests("gpt-4")).isEqualTo(3);
    }

    @Test
    void langchain4jsOwnRetriesMultiplyThePolicysRequests() {
        // what the warning is about: 2 Rebound attempts x (1 + maxRetries 1) = 4 requests, with
        // langchain4j's own ~0.5 s sleep inside each attempt (the only real wait in these tests)
        server.always("gpt-4", Fault.unavailable());
        ChatModel selfRetrying = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key")
                .modelName("gpt-4").maxRetries(1).build();
        ChatModel model = Rebound.wrap(ChatModel.class, selfRetrying)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .settings(rec.settings()).build();

        try {
            model.chat("q");
        } catch (InternalServerException expected) {
            // both attempts spent
        }

        assertThat(server.requests("gpt-4")).isEqualTo(4);
        assertThat(rec.attemptFailures()).hasSize(2);
    }

    // --- AiServices

    /** The user's assistant: annotated once, served by AiServices. */
    interface Assistant {
        @Retry(attempts = 2, delay = 100, jitter = false)
        @Fallback(to = BackupAssistant.class)
        String answer(String question);
    }

    /** The fallback, a second AiServices proxy on another model; it inherits the @Retry. */
    interface BackupAssistant extends Assistant {
    }

    @Test
    void retryAndFallbackOnTheAssistantInterfaceWorkForAnAiServicesProxy() {
        ChatModel gpt35 = openAi(server, "gpt-3.5-turbo");
        ReboundSettings settings = rec.settings().toBuilder()
                .alternatives(type -> AiServices.create(type, gpt35)).build();
        Assistant assistant = Rebound.wrap(Assistant.class,
                AiServices.create(Assistant.class, openAi(server, "gpt-4"))).settings(settings).build();
        server.always("gpt-4", Fault.unavailable());
        server.script("gpt-3.5-turbo", Fault.rateLimited(Duration.ofMillis(700)));

        String answer = assistant.answer("What is retry?");

        assertThat(answer).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", "What is retry?"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(2);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(700));
    }

    // --- a wrapped model is still a model

    @Test
    void aWrappedModelKeepsWorkingAsAModel() {
        ChatModel gpt4 = openAi(server, "gpt-4");
        ChatModel wrapped = Rebound.wrap(ChatModel.class, gpt4)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .withFallbacks(openAi(server, "gpt-3.5-turbo")).settings(rec.settings()).build();

        assertThat(wrapped.provider()).isEqualTo(ModelProvider.OPEN_AI);
        assertThat(wrapped.defaultRequestParameters().modelName()).isEqualTo("gpt-4");
        assertThat(wrapped.supportedCapabilities()).isEqualTo(gpt4.supportedCapabilities());
        assertThat(wrapped.listeners()).isEqualTo(gpt4.listeners());
        assertThat(wrapped.chat(ChatRequest.builder().messages(UserMessage.from("hi")).build()).aiMessage().text())
                .isEqualTo(ModelServer.answerFor("gpt-4", "hi"));
        assertThat(wrapped.chat(UserMessage.from("hello")).aiMessage().text())
                .isEqualTo(ModelServer.answerFor("gpt-4", "hello"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(server.requests("gpt-3.5-turbo")).isZero();
    }
}
