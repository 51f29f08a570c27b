package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The examples of docs/guides/async-and-streaming.md, run: each snippet is a region of this file. */
class AsyncAndStreamingGuideTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();

    // docs:async-interface
    interface Translator {
        @Retry(attempts = 3, delay = 200, jitter = false)
        @Fallback(to = CachedTranslator.class)
        CompletableFuture<String> translate(String text);
    }
    // /docs:async-interface

    /** The remote translator: fails twice, then answers. */
    static final class RemoteTranslator implements Translator {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public CompletableFuture<String> translate(String text) {
            return calls.incrementAndGet() <= 2 ? CompletableFuture.failedFuture(new IOException("reset"))
                    : CompletableFuture.completedFuture("bonjour");
        }
    }

    /** The fallback of the interface. */
    public static final class CachedTranslator implements Translator {
        @Override
        public CompletableFuture<String> translate(String text) {
            return CompletableFuture.completedFuture("(cached) bonjour");
        }
    }

    @Test
    void anAnnotatedAsyncInterfaceRetriesOnTheVirtualClock() throws Exception {
        RemoteTranslator remote = new RemoteTranslator();
        // docs:async-test
        VirtualTimeSource clock = new VirtualTimeSource();
        Translator translator = Rebound.wrap(Translator.class, remote)
                .settings(ReboundSettings.builder().timeSource(clock).build())
                .build();

        CompletableFuture<String> answer = translator.translate("hello");
        clock.runScheduled(); // the 200 ms and 400 ms waits pass at once, on this thread

        assertThat(answer.join()).isEqualTo("bonjour");
        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400));
        // /docs:async-test
        assertThat(remote.calls).hasValue(3);
    }

    /** The async client of the wrap example. */
    interface QuoteClient {
        CompletionStage<String> quote(String symbol);
    }

    @Test
    void wrapAnAsyncClientAndCancel() {
        CompletableFuture<String> inFlight = new CompletableFuture<>();
        QuoteClient httpClient = symbol -> inFlight;
        VirtualTimeSource clock = new VirtualTimeSource();
        ReboundSettings settings = ReboundSettings.builder().timeSource(clock).build();
        // docs:async-wrap
        QuoteClient quotes = Rebound.wrap(QuoteClient.class, httpClient)
                .withRetry(RetryPolicy.builder().attempts(4).delay(Duration.ofMillis(100)).build())
                .settings(settings)
                .build();

        CompletableFuture<String> quote = quotes.quote("ACME").toCompletableFuture();
        quote.cancel(true); // cancels the request in flight and any pending wait; no further attempt
        // /docs:async-wrap
        assertThat(inFlight).isCancelled();
        assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void aResilientStreamingModel() throws Exception {
        server.script("gpt-4", Fault.unavailable());
        // docs:stream-wrap
        StreamingChatModel model = Rebound.wrap(StreamingChatModel.class, openAiStreaming("gpt-4"))
                .named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build())
                .withFallbacks(openAiStreaming("gpt-3.5-turbo"))
                .build();
        // /docs:stream-wrap
        CompletableFuture<String> text = new CompletableFuture<>();
        StringBuilder tokens = new StringBuilder();
        // docs:stream-handler
        model.chat("Summarise the incident report", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String token) {
                tokens.append(token); // one attempt's tokens, never a failed attempt's
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                text.complete(tokens.toString());
            }

            @Override
            public void onError(Throwable error) {
                if (error instanceof PartialStreamException cut) {
                    // the stream broke after its first token: not restarted, nothing duplicated
                    text.complete(cut.partialText() + " [cut short]");
                } else {
                    // every model failed before its first token: the primary's last failure,
                    // the others suppressed on it
                    text.completeExceptionally(error);
                }
            }
        });
        // /docs:stream-handler
        assertThat(text.get(10, TimeUnit.SECONDS)).isEqualTo(ModelServer.answerFor("gpt-4", "Summarise the incident report"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
    }

    // docs:stream-ai-service
    interface Assistant {
        TokenStream answer(String question);
    }
    // /docs:stream-ai-service

    @Test
    void anAiServiceStreamsThroughTheResilientModel() throws Exception {
        server.script("gpt-4", Fault.cutMidStream(0));
        StreamingChatModel resilientModel = Rebound.wrap(StreamingChatModel.class, openAiStreaming("gpt-4"))
                .withFallbacks(openAiStreaming("gpt-3.5-turbo")).build();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        // docs:stream-ai-service-build
        Assistant assistant = AiServices.builder(Assistant.class)
                .streamingChatModel(resilientModel) // Rebound.wrap(StreamingChatModel.class, ...)
                .build();
        assistant.answer("What is a 429?")
                .onPartialResponse(System.out::print)
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        // /docs:stream-ai-service-build
        assertThat(done.get(10, TimeUnit.SECONDS).aiMessage().text())
                .isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", "What is a 429?"));
    }

    private static StreamingChatModel openAiStreaming(String model) {
        return LoopbackModels.openAiStreaming(server, model);
    }
}
