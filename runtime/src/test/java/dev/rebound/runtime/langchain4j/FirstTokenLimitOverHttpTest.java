package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.AttemptTimeoutException;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The time-to-first-token limit ({@code attemptTimeout} on a streaming method) end to end: langchain4j's
 * OpenAI streaming client, through {@code Rebound.wrap}, against the model server on loopback. The
 * server opens the stream and stays silent until the test releases it (real network silence, no time
 * involved); the limit runs on the virtual clock, which the test moves. The stalled attempt is cut at
 * the limit and retried, or falls back; its tokens, when they finally come, reach nobody; the caller's
 * handler sees one attempt's tokens and one completion.
 */
class FirstTokenLimitOverHttpTest {

    private static final String PROMPT = "Stream within the limit";
    private static final String GPT4 = ModelServer.answerFor("gpt-4", PROMPT);
    private static final String GPT35 = ModelServer.answerFor("gpt-3.5-turbo", PROMPT);
    private static final Duration LIMIT = Duration.ofSeconds(2);
    private static final Duration REAL = Duration.ofSeconds(10);

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    private final LoopbackModels.Recording rec = new LoopbackModels.Recording();

    private static RetryPolicy.Builder limited(int attempts) {
        return RetryPolicy.builder().attempts(attempts).delay(Duration.ofMillis(100)).jitter(false).attemptTimeout(LIMIT);
    }

    @Test
    void aStreamSilentPastTheLimitIsCutAndRetriedAndItsLateTokensReachNobody() throws Exception {
        // each attempt's stream stays silent until released, then answers: the test sees attempt 2's limit
        // set before its first token (a token already there when the attempt returns needs no limit)
        server.script("gpt-4", Fault.stallUntilReleased(), Fault.stallUntilReleased());
        TappedStreamingModel gpt4 = new TappedStreamingModel(LoopbackModels.openAiStreaming(server, "gpt-4"));
        StreamingChatModel model = Rebound.wrap(StreamingChatModel.class, gpt4).named("gpt-4")
                .withRetry(limited(2).build()).settings(rec.settings()).build();
        RecordingStreamHandler h = new RecordingStreamHandler();

        model.chat(PROMPT, h);
        assertThat(server.awaitStalled(1, REAL)).isTrue(); // the stream is open and silent
        assertThat(rec.clock.scheduled()).as("the first token's limit, on the call's clock").containsExactly(LIMIT);

        rec.clock.advance(LIMIT.minusMillis(1));
        assertThat(rec.attemptFailures()).as("not cut before the limit").isEmpty();
        rec.clock.advance(Duration.ofMillis(1));
        assertThat(rec.attemptFailures()).singleElement().isInstanceOf(AttemptTimeoutException.class);
        assertThat(rec.events.get(0).reason()).isEqualTo("timeout");
        assertThat(rec.clock.scheduled()).containsExactly(LIMIT, Duration.ofMillis(100));

        // the cut stream's tokens now come: Rebound's abandoned attempt takes the first and drops it
        server.releaseStalls();
        gpt4.calls.get(0).firstDelivered.get(REAL.toSeconds(), TimeUnit.SECONDS);
        assertThat(gpt4.calls.get(0).tokens).isNotEmpty();
        assertThat(h.tokens).isEmpty();
        assertThat(h.endings).hasValue(0);

        rec.clock.advance(Duration.ofMillis(100)); // the retry: a second stream, silent until released
        assertThat(server.awaitStalled(1, REAL)).isTrue();
        assertThat(rec.clock.scheduled()).as("attempt 2 has its own limit").containsExactly(LIMIT,
                Duration.ofMillis(100), LIMIT);
        server.releaseStalls();
        h.awaitEnd();
        assertThat(h.tokens).containsExactlyElementsOf(ModelServer.tokensOf(GPT4));
        assertThat(h.completions).singleElement().satisfies(r -> assertThat(r.aiMessage().text()).isEqualTo(GPT4));
        assertThat(h.errors).isEmpty();
        assertThat(h.endings).hasValue(1);
        assertThat(gpt4.calls).hasSize(2);
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(rec.events).extracting(ReboundEvent::kind).containsExactly(ReboundEvent.Kind.ATTEMPT_FAILED,
                ReboundEvent.Kind.RETRY_SCHEDULED, ReboundEvent.Kind.SUCCEEDED);
        assertThat(rec.clock.pendingTasks()).as("its first token cancelled it").isZero();
    }

    @Test
    void aStreamSilentPastTheLimitOnItsLastAttemptFallsBack() throws Exception {
        server.always("gpt-4", Fault.stallUntilReleased());
        TappedStreamingModel gpt4 = new TappedStreamingModel(LoopbackModels.openAiStreaming(server, "gpt-4"));
        StreamingChatModel model = Rebound.wrap(StreamingChatModel.class, gpt4).named("gpt-4")
                .withRetry(limited(1).build())
                .withFallbacks(LoopbackModels.openAiStreaming(server, "gpt-3.5-turbo"))
                .settings(rec.settings()).build();
        RecordingStreamHandler h = new RecordingStreamHandler();

        model.chat(PROMPT, h);
        assertThat(server.awaitStalled(1, REAL)).isTrue();
        rec.clock.advance(LIMIT); // cut: no retry left, so the fallback streams, at once
        h.awaitEnd();

        assertThat(h.tokens).containsExactlyElementsOf(ModelServer.tokensOf(GPT35));
        assertThat(h.completions).hasSize(1);
        assertThat(h.endings).hasValue(1);
        assertThat(rec.attemptFailures()).singleElement().isInstanceOf(AttemptTimeoutException.class);
        assertThat(rec.events).extracting(ReboundEvent::kind).containsExactly(ReboundEvent.Kind.ATTEMPT_FAILED,
                ReboundEvent.Kind.RETRIES_EXHAUSTED, ReboundEvent.Kind.FALLBACK, ReboundEvent.Kind.SUCCEEDED);
        assertThat(server.requestCounts()).containsEntry("gpt-4", 1).containsEntry("gpt-3.5-turbo", 1);

        server.releaseStalls();
        gpt4.calls.get(0).firstDelivered.get(REAL.toSeconds(), TimeUnit.SECONDS);
        assertThat(h.tokens).as("the cut stream's late tokens reach nobody")
                .containsExactlyElementsOf(ModelServer.tokensOf(GPT35));
        assertThat(h.endings).hasValue(1);
    }
}
