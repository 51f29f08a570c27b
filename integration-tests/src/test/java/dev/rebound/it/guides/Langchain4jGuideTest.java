package dev.rebound.it.guides;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.service.AiServices;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.langchain4j.RetryAfterHttpClientBuilder;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.EOFException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The examples of docs/guides/langchain4j.md and docs/testing.md, over real HTTP to the embedded model server. */
class Langchain4jGuideTest {

    // docs:model-server-extension
    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension(); // reset before each test
    private static final ModelServer server = models.server();
    // /docs:model-server-extension
    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final ReboundSettings virtualTime = ReboundSettings.builder().timeSource(clock).build();

    private static ChatModel model(String name) {
        return OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key").modelName(name)
                .maxRetries(0).build();
    }

    @Test
    void theModelRetriesThroughReboundWithTheServersRetryAfterThenFallsBack() {
        String key = "test-key";
        ChatModel gpt35 = model("gpt-3.5-turbo");
        server.script("gpt-4", Fault.unavailable(), Fault.rateLimited(Duration.ofSeconds(2)), Fault.unavailable());
        // docs:langchain4j-wrap
        ChatModel gpt4 = OpenAiChatModel.builder()
                .apiKey(key).modelName("gpt-4")
                // docs-omit
                .baseUrl(server.baseUrl())
                // /docs-omit
                .maxRetries(0)                                            // Rebound retries, not langchain4j
                .httpClientBuilder(RetryAfterHttpClientBuilder.create())  // pass the server's Retry-After to Rebound
                .build();
        ChatModel llm = Rebound.wrap(ChatModel.class, gpt4).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(3).build())
                .withFallbacks(gpt35)
                // docs-omit
                .settings(virtualTime)
                // /docs-omit
                .build();
        // /docs:langchain4j-wrap

        assertThat(llm.chat("Why retry?")).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", "Why retry?"));
        assertThat(server.requests("gpt-4")).isEqualTo(3);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
        assertThat(clock.sleeps()).hasSize(2);
        assertThat(clock.sleeps().get(1)).isEqualTo(Duration.ofSeconds(2));   // the server's wait, not the backoff
    }

    /** An assistant with chat memory: no annotation, its ChatModel carries the policies. */
    interface Chat {
        String answer(String question);
    }

    @Test
    void anAssistantWithChatMemoryIsBuiltOnAResilientChatModelAndRemembersTheQuestionOnce() {
        ChatModel gpt4 = model("gpt-4");
        ChatModel gpt35 = model("gpt-3.5-turbo");
        server.script("gpt-4", Fault.unavailable());
        // docs:langchain4j-aiservices-model
        ChatModel model = Rebound.wrap(ChatModel.class, gpt4).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(3).build())
                .withFallbacks(gpt35)
                // docs-omit
                .settings(virtualTime)
                // /docs-omit
                .build();
        ChatMemory memory = MessageWindowChatMemory.withMaxMessages(20);
        Chat chat = AiServices.builder(Chat.class)
                .chatModel(model)      // the policies act on each request the assistant sends
                .chatMemory(memory)    // and on tools, a retrieval augmentor: the same
                .build();
        // /docs:langchain4j-aiservices-model

        String answer = chat.answer("What is retry?");

        assertThat(answer).isEqualTo(ModelServer.answerFor("gpt-4", "What is retry?"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(memory.messages()).hasSize(2);   // the question once, then the answer
        assertThat(((UserMessage) memory.messages().get(0)).singleText()).isEqualTo("What is retry?");
        assertThat(((AiMessage) memory.messages().get(1)).text()).isEqualTo(answer);
        assertThat(clock.sleeps()).hasSize(1);
    }

    // docs:langchain4j-aiservices-interfaces
    interface Assistant {
        @Retry(attempts = 2)
        @Fallback(to = BackupAssistant.class)
        String answer(String question);
    }

    interface BackupAssistant extends Assistant {}   // inherits the @Retry
    // /docs:langchain4j-aiservices-interfaces

    @Test
    void anAiServicesAssistantFallsBackToAnotherAiServicesAssistant() {
        ChatModel gpt4 = model("gpt-4");
        ChatModel gpt35 = model("gpt-3.5-turbo");
        server.always("gpt-4", Fault.serverError());
        // docs:langchain4j-aiservices
        ReboundSettings settings = ReboundSettings.builder()
                // docs-omit
                .timeSource(clock)
                // /docs-omit
                .alternatives(type -> AiServices.create(type, gpt35)).build();
        Assistant assistant = Rebound.wrap(Assistant.class, AiServices.create(Assistant.class, gpt4))
                .settings(settings).build();
        // /docs:langchain4j-aiservices

        assertThat(assistant.answer("What is retry?"))
                .isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", "What is retry?"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
    }

    /** docs/testing.md: a streamed call's wait is scheduled on the virtual clock and runs when the test moves it. */
    @Test
    void theWaitOfAStreamedRetryIsScheduledOnTheVirtualClockAndRunsWhenItMoves() throws Exception {
        server.script("gpt-4", Fault.rateLimited(Duration.ofSeconds(3)));   // then answers
        StreamingChatModel gpt4 = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("any")
                .modelName("gpt-4").httpClientBuilder(RetryAfterHttpClientBuilder.create()).build();
        // docs:testing-streamed-retry
        StreamingChatModel llm = Rebound.wrap(StreamingChatModel.class, gpt4)
                .settings(virtualTime)      // clock: a VirtualTimeSource
                .withRetry(RetryPolicy.builder().attempts(3).build()).build();
        CompletableFuture<ChatResponse> answer = new CompletableFuture<>();

        llm.chat("Hello", new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String token) { }
            @Override public void onCompleteResponse(ChatResponse response) { answer.complete(response); }
            @Override public void onError(Throwable error) { answer.completeExceptionally(error); }
        });
        assertThat(clock.awaitPendingTasks(1, Duration.ofSeconds(10))).isTrue();   // the 429's wait is scheduled
        clock.runScheduled();                                  // its 3 s pass at once; the retry streams

        assertThat(answer.get(10, TimeUnit.SECONDS).aiMessage().text())
                .isEqualTo(ModelServer.answerFor("gpt-4", "Hello"));
        assertThat(clock.scheduled()).containsExactly(Duration.ofSeconds(3));   // the wait the 429 asked for
        assertThat(clock.sleeps()).isEmpty();                                  // nothing slept
        // /docs:testing-streamed-retry
        assertThat(server.requests("gpt-4")).isEqualTo(2);
    }

    /** docs/testing.md: a client slow on its first token, made so by the order of events, not by a sleep. */
    @Test
    void aClientThatTakesItsFirstTokenOnlyAfterTheCutGetsEveryTokenSentBeforeIt() throws Exception {
        StreamingChatModel gpt4 = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("any")
                .modelName("gpt-4").build();
        // docs:model-server-exchange-ended
        server.script("gpt-4", Fault.cutMidStream(2));
        List<String> tokens = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();

        gpt4.chat("Hello", new StreamingChatResponseHandler() {
            @Override public void onPartialResponse(String token) {
                try {   // busy with the first token until the server has written the cut and closed the connection
                    if (tokens.isEmpty() && !server.awaitExchangesEnded(1, Duration.ofSeconds(10))) {
                        throw new IllegalStateException("the server never ended the exchange");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                tokens.add(token);
            }
            @Override public void onCompleteResponse(ChatResponse response) { failure.complete(null); }
            @Override public void onError(Throwable error) { failure.complete(error); }
        });

        assertThat(failure.get(10, TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(EOFException.class);          // the cut: the stream ends mid-body
        assertThat(String.join("", tokens)).isEqualTo("gpt-4 answers");  // every token sent before it
        // /docs:model-server-exchange-ended
    }

    @Test
    void theModelServerServesScriptedFaultsPerModel() {
        // docs:model-server
        try (ModelServer server = ModelServer.start()) {
            server.script("gpt-4", Fault.unavailable(), Fault.rateLimited(Duration.ofSeconds(2)));  // then answers
            server.always("gpt-3.5-turbo", Fault.serverError());
            server.scriptForPrompt("gpt-4", "Question: poison", Fault.status(400));                 // per input
            ChatModel gpt4 = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("any")
                    .modelName("gpt-4").maxRetries(0)
                    .httpClientBuilder(RetryAfterHttpClientBuilder.create()).build();   // Rebound sees Retry-After
            ChatModel llm = Rebound.wrap(ChatModel.class, gpt4)
                    .settings(virtualTime)                // a VirtualTimeSource's: the waits are recorded, not slept
                    .withRetry(RetryPolicy.builder().attempts(3).build()).build();

            String answer = llm.chat("Hello");            // 503, 429, a 2 s wait, then the answer
            // docs-omit
            assertThat(answer).isEqualTo(ModelServer.answerFor("gpt-4", "Hello"));
            // /docs-omit
            server.requests("gpt-4");   // 3
            server.log();               // every request: sequence, model, prompt digest, fault served
            // docs-omit
            assertThat(server.requests("gpt-4")).isEqualTo(3);
            assertThat(server.log()).hasSize(3);
            assertThat(clock.sleeps()).hasSize(2);
            assertThat(clock.sleeps().get(1)).isEqualTo(Duration.ofSeconds(2));   // the 429's wait, not the backoff
            // /docs-omit
        }
        // /docs:model-server
    }
}
