package dev.rebound.runtime.langchain4j;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Real langchain4j OpenAI models pointed at the embedded server, and a recording virtual clock. */
public final class LoopbackModels {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private LoopbackModels() {
    }

    /**
     * {@code models}, once its server has answered one request through langchain4j's OpenAI client
     * (JIT, the client's and the server's threads and connections): for tests whose clients have short
     * timeouts. The extension forgets the request before the first test.
     */
    public static ModelServerExtension warmedUp(ModelServerExtension models) {
        openAi(models.server(), "warm-up").chat("warm up the client and the server");
        return models;
    }

    /** The way the README recommends: Rebound's HTTP client, langchain4j's own retries off. */
    public static OpenAiChatModel openAi(ModelServer server, String model) {
        return openAi(server, model, TIMEOUT);
    }

    public static OpenAiChatModel openAi(ModelServer server, String model, Duration timeout) {
        return OpenAiChatModel.builder()
                .baseUrl(server.baseUrl())
                .apiKey("test-key")
                .modelName(model)
                .timeout(timeout)
                .maxRetries(0)
                .httpClientBuilder(RetryAfterHttpClientBuilder.create())
                .build();
    }

    /** langchain4j's OpenAI streaming model on the server, through Rebound's HTTP client, usage included. */
    public static OpenAiStreamingChatModel openAiStreaming(ModelServer server, String model) {
        return OpenAiStreamingChatModel.builder()
                .baseUrl(server.baseUrl())
                .apiKey("test-key")
                .modelName(model)
                .timeout(TIMEOUT)
                .httpClientBuilder(RetryAfterHttpClientBuilder.create())
                .build();
    }

    /** A virtual clock plus every event of the calls made with {@link #settings()}. */
    static final class Recording {
        final VirtualTimeSource clock = new VirtualTimeSource();
        final List<ReboundEvent> events = new CopyOnWriteArrayList<>();

        ReboundSettings settings() {
            return ReboundSettings.builder().timeSource(clock).logging(false).listener(events::add).build();
        }

        List<Throwable> attemptFailures() {
            return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED)
                    .map(ReboundEvent::failure).toList();
        }

        List<String> retryReasons() {
            return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.RETRY_SCHEDULED)
                    .map(ReboundEvent::reason).toList();
        }

        List<String> exhaustedReasons() {
            return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.RETRIES_EXHAUSTED)
                    .map(ReboundEvent::reason).toList();
        }
    }
}
