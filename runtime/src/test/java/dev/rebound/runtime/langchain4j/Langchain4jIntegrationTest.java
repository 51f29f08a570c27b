package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.service.AiServices;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.StdErr;
import dev.rebound.runtime.internal.Classifier;
import dev.rebound.runtime.internal.SelfRetryCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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

    /**
     * An AiServices assistant is a JDK proxy, {@code $Proxy28}, numbered anew in each run: events, logs and
     * metric tags name it by the interface it is wrapped as.
     */
    @Test
    void anAiServicesAssistantIsNamedInEventsByItsInterfaceNotItsJdkProxyNumber() {
        ChatModel gpt35 = openAi(server, "gpt-3.5-turbo");
        Assistant assistant = Rebound.wrap(Assistant.class, AiServices.create(Assistant.class, openAi(server, "gpt-4")))
                .settings(rec.settings().toBuilder().alternatives(type -> AiServices.create(type, gpt35)).build())
                .build();
        server.always("gpt-4", Fault.status(400)); // not retried: straight to the fallback

        assistant.answer("What is retry?");

        ReboundEvent fallback = rec.events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).findFirst()
                .orElseThrow();
        assertThat(fallback.target()).isEqualTo("Assistant");
        assertThat(fallback.alternative()).isEqualTo("BackupAssistant");
    }

    /**
     * The same through withFallbacks: a backup assistant built on a sub-interface is named by it, not by the
     * interface wrapped (logs read "falling back from Assistant to Assistant", its meters merged the two).
     */
    @Test
    void aWithFallbacksAssistantOfASubInterfaceIsNamedByItsOwnInterface() {
        Assistant assistant = Rebound.wrap(Assistant.class, AiServices.create(Assistant.class, openAi(server, "gpt-4")))
                .withFallbacks(AiServices.create(BackupAssistant.class, openAi(server, "gpt-3.5-turbo")))
                .settings(rec.settings()).build();
        server.always("gpt-4", Fault.status(400));

        assistant.answer("What is retry?");

        ReboundEvent fallback = rec.events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).findFirst()
                .orElseThrow();
        assertThat(fallback.target()).isEqualTo("Assistant");
        assertThat(fallback.alternative()).isEqualTo("BackupAssistant");
    }

    /**
     * llm-failures.md section 7: a fallback's model is seen. The settings' resolver makes the fallback assistant
     * on a model with langchain4j's default retries: said when the wrapper is built, as for withFallbacks.
     */
    @Test
    void aFallbackAssistantTheResolverMakesOnASelfRetryingModelIsWarnedAbout() {
        ChatModel selfRetrying = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key")
                .modelName("gpt-3.5-turbo").build(); // langchain4j's default maxRetries = 2
        server.always("gpt-4", Fault.status(400));
        String[] answer = new String[1];

        String log = StdErr.during(() -> {
            Assistant assistant = Rebound.wrap(Assistant.class,
                    AiServices.create(Assistant.class, openAi(server, "gpt-4"))).settings(rec.settings().toBuilder()
                    .alternatives(type -> AiServices.create(type, selfRetrying)).build()).build();
            answer[0] = assistant.answer("What is retry?");
        });

        assertThat(answer[0]).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", "What is retry?"));
        assertThat(log.lines().filter(l -> l.contains("Rebound.wrap(Assistant) @Fallback.to BackupAssistant: the model"
                + " behind this AiServices proxy has its own retries on (maxRetries = 2)"))).hasSize(1);
        assertThat(log).doesNotContain("test-key");
    }

    // --- AiServices with chat memory or tools: the policy goes on the ChatModel

    /** An assistant with no policy of its own: the ChatModel it is built on carries it. */
    interface Chat {
        String answer(String question);
    }

    private static List<String> texts(ChatMemory memory) {
        return memory.messages().stream().map(Langchain4jIntegrationTest::text).toList();
    }

    private static String text(ChatMessage m) {
        return m instanceof UserMessage u ? "user: " + u.singleText()
                : m instanceof AiMessage a ? "ai: " + a.text() : m.type() + ": " + m;
    }

    private ChatModel resilientGpt4() {
        return Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .withFallbacks(openAi(server, "gpt-3.5-turbo"))
                .settings(rec.settings()).build();
    }

    @Test
    void aRetryAndAFallbackOnTheChatModelKeepTheAssistantsMemoryWhole() {
        ChatMemory memory = MessageWindowChatMemory.withMaxMessages(10);
        Chat assistant = AiServices.builder(Chat.class).chatModel(resilientGpt4()).chatMemory(memory).build();
        server.script("gpt-4", Fault.unavailable()); // one 503, then answers

        String first = assistant.answer("What is retry?");
        server.always("gpt-4", Fault.unavailable());
        String second = assistant.answer("And a fallback?");

        assertThat(first).isEqualTo(ModelServer.answerFor("gpt-4", "What is retry?"));
        // the retried request carried the conversation as it was: the question once
        assertThat(server.log().get(1).promptDigest()).isEqualTo(ModelServer.digest("What is retry?"));
        assertThat(second).startsWith("gpt-3.5-turbo answers");
        assertThat(texts(memory)).containsExactly("user: What is retry?", "ai: " + first,
                "user: And a fallback?", "ai: " + second);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
    }

    /** What the warning is about: the policy on an assistant with chat memory, retried once. */
    @Test
    void aRetryOnAnAssistantWithChatMemoryIsWarnedOnceNamingWhatEachAttemptRepeats() {
        ChatMemory memory = MessageWindowChatMemory.withMaxMessages(10);
        ChatModel gpt35 = openAi(server, "gpt-3.5-turbo");
        server.script("gpt-4", Fault.unavailable());
        String[] answer = new String[1];

        String log = StdErr.during(() -> {
            Assistant assistant = Rebound.wrap(Assistant.class, AiServices.builder(Assistant.class)
                            .chatModel(openAi(server, "gpt-4")).chatMemory(memory).build())
                    .settings(rec.settings().toBuilder().alternatives(type -> AiServices.builder(type)
                            .chatModel(gpt35).chatMemory(memory).build()).build()).build();
            answer[0] = assistant.answer("What is retry?");
        });

        assertThat(log.lines().filter(l -> l.contains("WARN dev.rebound - Rebound.wrap(Assistant): the policy of"
                + " Assistant.answer(String) retries or falls back from an AiServices assistant, and each attempt calls"
                + " the whole assistant again: the user's message is added to its chat memory again, and sent to the"
                + " model twice. Put the retry and the fallbacks on the ChatModel (or StreamingChatModel) the assistant"
                + " is built on"))).hasSize(1);
        assertThat(log).doesNotContain("What is retry?");
        // as it says: the retried request asked the question twice, and memory holds it twice
        assertThat(server.log().get(1).promptDigest()).isNotEqualTo(ModelServer.digest("What is retry?"));
        assertThat(texts(memory)).containsExactly("user: What is retry?", "user: What is retry?", "ai: " + answer[0]);
    }

    @Test
    void anAssistantWithoutMemoryToolsOrRetrievalIsNotWarnedAbout() {
        String log = StdErr.during(() -> Rebound.wrap(Assistant.class,
                        AiServices.create(Assistant.class, openAi(server, "gpt-4")))
                .settings(rec.settings().toBuilder().alternatives(type -> AiServices.create(type,
                        openAi(server, "gpt-3.5-turbo"))).build()).build());

        assertThat(log).doesNotContain("AiServices assistant");
    }

    /** A tool with a side effect: each run sends a mail. */
    public static final class Mailer {
        final AtomicInteger sent = new AtomicInteger();

        @Tool("Sends the incident report to the on-call engineer")
        public String sendIncidentMail() {
            sent.incrementAndGet();
            return "mail sent";
        }
    }

    /**
     * Asks for {@code sendIncidentMail} when the user has just spoken (the model server writes no tool call);
     * passes the request carrying the tool's result to {@code http}, langchain4j's OpenAI client on the server.
     */
    static final class ToolAsking implements ChatModel {
        private final ChatModel http;

        ToolAsking(ChatModel http) {
            this.http = http;
        }

        @Override
        public ChatResponse doChat(ChatRequest request) {
            ChatMessage last = request.messages().get(request.messages().size() - 1);
            if (last instanceof UserMessage) {
                return ChatResponse.builder().aiMessage(AiMessage.from(ToolExecutionRequest.builder().id("call_1")
                        .name("sendIncidentMail").arguments("{}").build()))
                        .finishReason(FinishReason.TOOL_EXECUTION).build();
            }
            assertThat(last).isInstanceOf(ToolExecutionResultMessage.class);
            return http.chat(request);
        }
    }

    interface OnCall {
        @Retry(attempts = 2, delay = 100, jitter = false)
        String report(String incident);
    }

    @Test
    void aRetryOnTheChatModelRetriesOnlyTheFailedRequestOfAToolExchangeAndTheToolRunsOnce() {
        Mailer mailer = new Mailer();
        ChatModel resilient = Rebound.wrap(ChatModel.class, new ToolAsking(openAi(server, "gpt-4")))
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(rec.settings()).build();
        Chat assistant = AiServices.builder(Chat.class).chatModel(resilient).tools(mailer).build();
        server.script("gpt-4", Fault.unavailable()); // the request carrying the tool's result: a 503, then answers

        String answer = assistant.answer("The database is down");

        assertThat(answer).startsWith("gpt-4 answers prompt");
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(mailer.sent).hasValue(1);
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void aRetryOnAnAssistantWithToolsIsWarnedThatItsToolsRunAgain() {
        Mailer mailer = new Mailer();
        server.script("gpt-4", Fault.unavailable());
        String[] answer = new String[1];

        String log = StdErr.during(() -> {
            OnCall assistant = Rebound.wrap(OnCall.class, AiServices.builder(OnCall.class)
                    .chatModel(new ToolAsking(openAi(server, "gpt-4"))).tools(mailer).build())
                    .settings(rec.settings()).build();
            answer[0] = assistant.report("The database is down");
        });

        assertThat(log.lines().filter(l -> l.contains("Rebound.wrap(OnCall): the policy of OnCall.report(String)"
                + " retries or falls back from an AiServices assistant, and each attempt calls the whole assistant"
                + " again: the tools the model asks for run again (a tool with side effects acts twice; @NonIdempotent"
                + " cannot see them). Put the retry"))).hasSize(1);
        // as it says: the exchange ran again from the start, the mail sent twice
        assertThat(answer[0]).startsWith("gpt-4 answers prompt");
        assertThat(mailer.sent).hasValue(2);
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
