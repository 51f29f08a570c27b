package dev.rebound.it.plain;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Provides;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.SeenStream;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.AttemptTimeoutException;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.langchain4j.RetryAfterHttpClientBuilder;
import dev.rebound.runtime.testing.VirtualTimeSource;
import dev.rebound.weaver.guice.ReboundModule;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The time-to-first-token limit through the Guice door: {@code @Retry(attemptTimeout)} on a streaming
 * method of the user's interface, provided by a {@code @Provides} method over langchain4j's real OpenAI
 * streaming client, against the model server on loopback. The server keeps every gpt-4 stream open and
 * silent until released; the limit runs on the virtual clock: each attempt is cut at 2 s, the retry
 * waits 100 ms, then the fallback (gpt-3.5-turbo) streams, and the caller's handler sees its tokens
 * alone and one completion.
 */
class FirstTokenLimitGuiceTest {

    interface Streamer {
        @Retry(attempts = 2, delay = 100, jitter = false, attemptTimeout = 2000)
        @Fallback(to = BackupStreamer.class)
        void stream(String prompt, StreamingChatResponseHandler handler);
    }

    /** The fallback, on gpt-3.5-turbo. */
    interface BackupStreamer extends Streamer {
    }

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();

    static StreamingChatModel openAiStreaming(String model) {
        return OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key").modelName(model)
                .timeout(Duration.ofSeconds(5)).httpClientBuilder(RetryAfterHttpClientBuilder.create()).build();
    }

    /** Where {@link OnModel} calls its model. */
    private static final ExecutorService CALLERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-stream-caller");
        t.setDaemon(true);
        return t;
    });

    /** The user's streamer: a streaming model behind the interface. */
    static final class OnModel implements BackupStreamer {
        private final StreamingChatModel model;

        OnModel(StreamingChatModel model) {
            this.model = model;
        }

        /**
         * Calls the model off the caller's thread: langchain4j's JDK client reads a stream on the thread
         * that called it when the response opened before it listened, and this test's retries start on
         * the thread that advances its virtual clock, which must not wait for a silent stream.
         */
        @Override
        public void stream(String prompt, StreamingChatResponseHandler handler) {
            CALLERS.execute(() -> model.chat(prompt, handler));
        }
    }

    /** The user's module, unaware of Rebound. */
    static final class Streamers extends AbstractModule {
        @Provides
        Streamer streamer() {
            return new OnModel(openAiStreaming("gpt-4"));
        }

        @Provides
        BackupStreamer backup() {
            return new OnModel(openAiStreaming("gpt-3.5-turbo"));
        }
    }

    @Test
    void eachSilentStreamIsCutAtTheLimitThenRetriedThenTheFallbackStreamsAlone() throws Exception {
        server.always("gpt-4", Fault.stallUntilReleased());
        VirtualTimeSource clock = new VirtualTimeSource();
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false)
                .listener(events::add).build();
        Streamer streamer = Guice.createInjector(ReboundModule.wrapping(settings, new Streamers()))
                .getInstance(Streamer.class);
        SeenStream seen = new SeenStream();

        streamer.stream("Why stream?", seen);
        assertThat(server.awaitStalled(1, Duration.ofSeconds(10))).isTrue();
        clock.advance(Duration.ofMillis(1999));
        assertThat(events).isEmpty();
        clock.advance(Duration.ofMillis(1)); // attempt 1 cut; the retry waits 100 ms
        clock.advance(Duration.ofMillis(100));
        assertThat(server.awaitStalled(2, Duration.ofSeconds(10))).isTrue();
        clock.advance(Duration.ofSeconds(2)); // attempt 2 cut: the fallback streams
        seen.ended.get(10, TimeUnit.SECONDS);

        String answer = ModelServer.answerFor("gpt-3.5-turbo", "Why stream?");
        List<String> expected = new java.util.ArrayList<>(ModelServer.tokensOf(answer));
        expected.add("complete");
        assertThat(seen.events).containsExactlyElementsOf(expected);
        assertThat(events).filteredOn(e -> e.kind() == Kind.ATTEMPT_FAILED).hasSize(2).allSatisfy(e -> {
            assertThat(e.failure()).isInstanceOf(AttemptTimeoutException.class);
            assertThat(e.reason()).isEqualTo("timeout");
        });
        assertThat(events).extracting(ReboundEvent::kind).containsExactly(Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED,
                Kind.ATTEMPT_FAILED, Kind.RETRIES_EXHAUSTED, Kind.FALLBACK, Kind.SUCCEEDED);
        assertThat(server.requestCounts()).containsEntry("gpt-4", 2).containsEntry("gpt-3.5-turbo", 1);

        server.releaseStalls(); // the cut streams' late tokens: FirstTokenLimitOverHttpTest waits for them
    }
}
