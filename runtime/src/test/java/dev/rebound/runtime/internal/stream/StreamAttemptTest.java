package dev.rebound.runtime.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.internal.ServerVerdict;
import dev.rebound.runtime.langchain4j.FirstTokenTimeoutException;
import dev.rebound.runtime.langchain4j.OffThread;
import dev.rebound.runtime.langchain4j.PartialStreamException;
import dev.rebound.runtime.langchain4j.RetryAfterHttpClientBuilder;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One streamed attempt over real HTTP (langchain4j's OpenAI streaming client, the model server):
 * what its first-token future says and what the caller's handler sees, for each fault.
 */
class StreamAttemptTest {

    private static final String PROMPT = "Stream one attempt";
    private static final String ANSWER = ModelServer.answerFor("gpt-4", PROMPT);
    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    private static OpenAiStreamingChatModel model;

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final Caller caller = new Caller();
    private final Raw raw = new Raw();

    @BeforeAll
    static void start() {
        model = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("k").modelName("gpt-4")
                .timeout(Duration.ofSeconds(5)).build();
    }

    /** Starts one attempt; the model's callbacks go to the attempt first, then to {@link #raw}. */
    private StreamAttempt attempt(Duration firstTokenLimit) {
        StreamAttempt attempt = StreamAttempt.start(caller, clock, firstTokenLimit);
        StreamingChatResponseHandler handler = raw.after(attempt);
        OffThread.start(() -> model.chat(PROMPT, handler)); // a silent stream must not hold the test
        return attempt;
    }

    @Test
    void answerCommitsAtTheFirstTokenAndPassesEveryCallbackThrough() throws Exception {
        StreamAttempt attempt = attempt(Duration.ofSeconds(1));
        attempt.firstToken().get(5, TimeUnit.SECONDS);
        raw.completed.get(5, TimeUnit.SECONDS);
        assertThat(caller.events).containsExactly("gpt-4", " answers", " prompt", " " + ModelServer.digest(PROMPT) + ".",
                "complete:" + ANSWER);
        assertThat(caller.completions.get(0).finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(clock.pendingTasks()).as("the first-token timer is cancelled").isZero();
    }

    @Test
    void errorBeforeTheFirstTokenFailsTheFutureAndTellsTheCallerNothing() throws Exception {
        server.script("gpt-4", Fault.unavailable());
        StreamAttempt attempt = attempt(null);
        assertThatThrownBy(() -> attempt.firstToken().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InternalServerException.class);
        raw.ended.get(5, TimeUnit.SECONDS);
        assertThat(caller.events).isEmpty();
    }

    /**
     * langchain4j ends a stream broken before its first token twice, onError then an empty onCompleteResponse.
     * A malformed first event does so every time (a cut there does on one of two courses the JDK client's
     * timing decides: StreamingFaultsOverHttpTest); the late completion is dropped.
     */
    @Test
    void aBreakBeforeTheFirstTokenFailsTheFutureOnceAndTheLateCompletionIsDropped() throws Exception {
        server.script("gpt-4", Fault.malformedChunk(0));
        StreamAttempt attempt = attempt(null);
        assertThatThrownBy(() -> attempt.firstToken().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        raw.completed.get(5, TimeUnit.SECONDS); // langchain4j's second ending
        assertThat(raw.endings).containsExactly("error", "complete");
        assertThat(caller.events).isEmpty();
    }

    @Test
    void cutAfterTwoTokensReachesTheCallerAsOnePartialStreamExceptionWithTheText() throws Exception {
        server.script("gpt-4", Fault.cutMidStream(2));
        StreamAttempt attempt = attempt(null);
        attempt.firstToken().get(5, TimeUnit.SECONDS);
        raw.completed.get(5, TimeUnit.SECONDS);
        assertThat(caller.events).containsExactly("gpt-4", " answers", "error:PartialStreamException");
        PartialStreamException broken = (PartialStreamException) caller.errors.get(0);
        assertThat(broken.partialText()).isEqualTo("gpt-4 answers");
        assertThat(broken.partialResponses()).isEqualTo(2);
        assertThat(broken.getCause()).isSameAs(raw.errors.get(0));
        assertThat(broken.getMessage()).isEqualTo("the stream failed after 2 partial responses (13 characters)")
                .doesNotContain("answers");
    }

    @Test
    void malformedChunkAfterATokenIsAPartialStreamException() throws Exception {
        server.script("gpt-4", Fault.malformedChunk(1));
        attempt(null).firstToken().get(5, TimeUnit.SECONDS);
        raw.completed.get(5, TimeUnit.SECONDS);
        assertThat(caller.events).containsExactly("gpt-4", "error:PartialStreamException");
    }

    @Test
    void stallPastTheFirstTokenLimitTimesOutOnTheVirtualClockAndTheLateStreamIsCancelledUnseen() throws Exception {
        server.script("gpt-4", Fault.stallUntilReleased());
        StreamAttempt attempt = attempt(Duration.ofMillis(500));
        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(500));
        clock.advance(Duration.ofMillis(499));
        assertThat(attempt.firstToken()).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(() -> attempt.firstToken().get(0, TimeUnit.SECONDS)).cause()
                .isInstanceOf(FirstTokenTimeoutException.class)
                .hasMessage("no partial response within the time-to-first-token limit of 500 ms");
        assertThat(server.awaitStalled(1, Duration.ofSeconds(5))).isTrue();
        server.releaseStalls(); // the stream goes on only now, whatever the machine's load
        raw.firstPartial.get(5, TimeUnit.SECONDS);
        assertThat(raw.contexts.get(0).streamingHandle().isCancelled()).as("the late stream is cancelled").isTrue();
        assertThat(caller.events).isEmpty();
    }

    @Test
    void theVerdictOfAStreamRefusedAtOpenTravelsWithTheAttemptsFailure() throws Exception {
        server.script("gpt-4", Fault.rateLimited(Duration.ofMillis(1500)));
        OpenAiStreamingChatModel hinting = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("k")
                .modelName("gpt-4").timeout(Duration.ofSeconds(5))
                .httpClientBuilder(RetryAfterHttpClientBuilder.create()).build();
        StreamAttempt attempt = StreamAttempt.start(caller, clock, null);
        CompletableFuture<Long> hint = attempt.firstToken()
                .handle((ok, failure) -> ServerVerdict.find(failure).waitNanos());
        hinting.chat(PROMPT, attempt);
        assertThat(hint.get(5, TimeUnit.SECONDS)).isEqualTo(Duration.ofMillis(1500).toNanos());
        assertThat(caller.events).isEmpty();
    }

    @Test
    void abandonedAttemptSaysNothing() throws Exception {
        server.script("gpt-4", Fault.stallUntilReleased());
        StreamAttempt attempt = attempt(Duration.ofSeconds(5));
        attempt.abandon();
        assertThat(clock.pendingTasks()).isZero();
        assertThat(server.awaitStalled(1, Duration.ofSeconds(5))).isTrue();
        server.releaseStalls(); // the stream goes on only now, whatever the machine's load
        raw.firstPartial.get(5, TimeUnit.SECONDS);
        assertThat(attempt.firstToken()).isNotDone();
        assertThat(caller.events).isEmpty();
    }

    @Test
    void cancellingTheFirstTokenFutureAbandonsTheAttempt() throws Exception {
        server.script("gpt-4", Fault.stallUntilReleased());
        StreamAttempt attempt = attempt(Duration.ofSeconds(5));
        assertThat(attempt.firstToken().cancel(true)).isTrue();
        assertThat(clock.pendingTasks()).as("the first-token timer is cancelled").isZero();
        assertThat(server.awaitStalled(1, Duration.ofSeconds(5))).isTrue();
        server.releaseStalls(); // the stream goes on only now, whatever the machine's load
        raw.firstPartial.get(5, TimeUnit.SECONDS);
        assertThat(raw.contexts.get(0).streamingHandle().isCancelled()).isTrue();
        assertThat(caller.events).isEmpty();
    }

    /**
     * The late failure of an attempt given up on (timed out, cancelled) reaches nobody, and what it left on
     * its thread (a hint suggested there) is forgotten there: it is nobody's, and the next failure handled
     * on that thread must not take it.
     */
    @Test
    void theLateFailureOfAnAbandonedAttemptLeavesNothingOnItsThread() {
        StreamAttempt attempt = StreamAttempt.start(caller, clock, null);
        attempt.abandon();
        try {
            RetryAfter.suggest(Duration.ofSeconds(20));

            attempt.onError(new InternalServerException("429"));

            assertThat(RetryAfter.takeNanos()).isZero();
            assertThat(caller.events).isEmpty();
        } finally {
            RetryAfter.clear();
        }
    }

    /** The caller's handler: what it saw, in order. */
    static final class Caller implements StreamingChatResponseHandler {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<ChatResponse> completions = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onPartialResponse(String partialResponse) {
            events.add(partialResponse);
        }

        @Override
        public void onCompleteResponse(ChatResponse completeResponse) {
            completions.add(completeResponse);
            events.add("complete:" + completeResponse.aiMessage().text());
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
            events.add("error:" + error.getClass().getSimpleName());
        }
    }

    /** What the model itself said, recorded after the attempt has handled each callback. */
    static final class Raw {
        final List<String> endings = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final List<PartialResponseContext> contexts = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> firstPartial = new CompletableFuture<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        final CompletableFuture<Void> completed = new CompletableFuture<>();

        StreamingChatResponseHandler after(StreamingChatResponseHandler attempt) {
            return new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
                    attempt.onPartialResponse(partialResponse, context);
                    contexts.add(context);
                    firstPartial.complete(null);
                }

                @Override
                public void onCompleteResponse(ChatResponse completeResponse) {
                    attempt.onCompleteResponse(completeResponse);
                    endings.add("complete");
                    ended.complete(null);
                    completed.complete(null);
                }

                @Override
                public void onError(Throwable error) {
                    attempt.onError(error);
                    errors.add(error);
                    endings.add("error");
                    ended.complete(null);
                }
            };
        }
    }
}
