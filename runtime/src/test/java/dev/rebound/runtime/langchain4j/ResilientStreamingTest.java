package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Batch;
import dev.rebound.runtime.Parallel;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.metrics.MicrometerListener;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * langchain4j's StreamingChatModel through {@code Rebound.wrap}, over real HTTP to the model server:
 * failures before the first token are retried and fall back unseen; the caller's handler gets one
 * attempt's tokens and one ending; a stream broken after its first token is never restarted.
 */
class ResilientStreamingTest {

    private static final String PROMPT = "Stream with retries";
    private static final String GPT4 = ModelServer.answerFor("gpt-4", PROMPT);
    private static final String GPT35 = ModelServer.answerFor("gpt-3.5-turbo", PROMPT);
    private static final Duration REAL = Duration.ofSeconds(10);

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    private final LoopbackModels.Recording rec = new LoopbackModels.Recording();

    private StreamingChatModel resilient(int attempts) {
        return Rebound.wrap(StreamingChatModel.class, LoopbackModels.openAiStreaming(server, "gpt-4")).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(attempts).delay(Duration.ofMillis(100)).jitter(false).build())
                .withFallbacks(LoopbackModels.openAiStreaming(server, "gpt-3.5-turbo"))
                .settings(rec.settings()).build();
    }

    @Test
    void anErrorStatusBeforeTheFirstTokenIsRetriedAndTheCallerSeesOneAttemptsTokens() throws Exception {
        server.script("gpt-4", Fault.unavailable());
        RecordingStreamHandler h = new RecordingStreamHandler();

        resilient(3).chat(PROMPT, h);
        assertThat(rec.clock.awaitPendingTasks(1, REAL)).isTrue();
        assertThat(rec.clock.scheduled()).containsExactly(Duration.ofMillis(100));
        rec.clock.runScheduled();
        h.awaitEnd();

        assertThat(h.tokens).containsExactlyElementsOf(ModelServer.tokensOf(GPT4));
        assertThat(h.completions).singleElement().satisfies(r -> assertThat(r.aiMessage().text()).isEqualTo(GPT4));
        assertThat(h.errors).isEmpty();
        assertThat(h.endings).hasValue(1);
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(rec.attemptFailures()).singleElement().isInstanceOf(InternalServerException.class);
    }

    @Test
    void theServersRetryAfterIsTheWaitOnTheStreamingPathToo() throws Exception {
        server.script("gpt-4", Fault.rateLimited(Duration.ofMillis(1500)));
        RecordingStreamHandler h = new RecordingStreamHandler();

        resilient(3).chat(PROMPT, h);
        assertThat(rec.clock.awaitPendingTasks(1, REAL)).isTrue();
        rec.clock.runScheduled();
        h.awaitEnd();

        assertThat(rec.clock.scheduled()).containsExactly(Duration.ofMillis(1500));
        assertThat(rec.retryReasons()).containsExactly("retry-after");
        assertThat(rec.attemptFailures()).singleElement().isInstanceOf(RateLimitException.class);
        assertThat(h.text()).isEqualTo(GPT4);
    }

    /** As over a synchronous call: a streamed 503 with OpenAI's everyday x-ratelimit-* headers, no limit at 0. */
    @Test
    void aStreamed503CarryingOpenAisEverydayRateLimitHeadersIsRetriedWithTheBackoff() throws Exception {
        server.script("gpt-4", Fault.unavailable()
                .withHeader("x-ratelimit-remaining-requests", "499").withHeader("x-ratelimit-reset-requests", "120ms")
                .withHeader("x-ratelimit-remaining-tokens", "149984").withHeader("x-ratelimit-reset-tokens", "6m0s"));
        RecordingStreamHandler h = new RecordingStreamHandler();

        resilient(3).chat(PROMPT, h);
        assertThat(rec.clock.awaitPendingTasks(1, REAL)).isTrue();
        rec.clock.runScheduled();
        h.awaitEnd();

        assertThat(rec.clock.scheduled()).containsExactly(Duration.ofMillis(100));
        assertThat(rec.retryReasons()).containsExactly("backoff");
        assertThat(h.text()).isEqualTo(GPT4);
    }

    /** The other server hints of a streamed response: its error body's quota code, its x-should-retry. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{1}")
    @org.junit.jupiter.params.provider.MethodSource("verdicts")
    void aStreamedResponsesVerdictStopsTheRetriesAsASynchronousOnesDoes(Fault fault, String reason) throws Exception {
        server.always("gpt-4", fault);
        RecordingStreamHandler h = new RecordingStreamHandler();

        resilient(3).chat(PROMPT, h);
        h.awaitEnd();

        assertThat(rec.exhaustedReasons()).containsExactly(reason);
        assertThat(server.requestCounts()).containsEntry("gpt-4", 1).containsEntry("gpt-3.5-turbo", 1);
        assertThat(h.tokens).containsExactlyElementsOf(ModelServer.tokensOf(GPT35));
        assertThat(h.endings).hasValue(1);
        assertThat(rec.clock.scheduled()).isEmpty();
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> verdicts() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(Fault.quotaExhausted(), "quota-exhausted"),
                org.junit.jupiter.params.provider.Arguments.of(Fault.anthropicBillingError(), "quota-exhausted"),
                org.junit.jupiter.params.provider.Arguments.of(
                        Fault.unavailable().withHeader("x-should-retry", "false"), "server-declined-retry"));
    }

    @Test
    void aStreamCutBeforeItsFirstTokenFallsBackAndTheFallbacksTokensArriveAlone() throws Exception {
        server.always("gpt-4", Fault.cutMidStream(0));
        RecordingStreamHandler h = new RecordingStreamHandler();

        resilient(1).chat(PROMPT, h);
        h.awaitEnd();

        assertThat(h.tokens).containsExactlyElementsOf(ModelServer.tokensOf(GPT35));
        assertThat(h.completions).hasSize(1);
        assertThat(h.endings).hasValue(1);
        assertThat(server.requestCounts()).containsEntry("gpt-4", 1).containsEntry("gpt-3.5-turbo", 1);
        assertThat(rec.events).extracting(ReboundEvent::kind).contains(ReboundEvent.Kind.FALLBACK);
    }

    @Test
    void aStreamBrokenAfterItsFirstTokensIsNeverRestartedAndTheCallerGetsThePartialText() throws Exception {
        server.script("gpt-4", Fault.cutMidStream(2));
        RecordingStreamHandler h = new RecordingStreamHandler();

        resilient(3).chat(PROMPT, h);
        h.awaitEnd();

        assertThat(h.tokens).containsExactly("gpt-4", " answers");
        assertThat(h.completions).isEmpty();
        assertThat(h.errors).singleElement().isInstanceOfSatisfying(PartialStreamException.class,
                e -> assertThat(e.partialText()).isEqualTo("gpt-4 answers"));
        assertThat(server.requestCounts()).containsEntry("gpt-4", 1).doesNotContainKey("gpt-3.5-turbo");
        assertThat(rec.clock.pendingTasks()).isZero();
        assertThat(rec.events).extracting(ReboundEvent::kind).containsExactly(ReboundEvent.Kind.STREAM_BROKEN);
    }

    @Test
    void aStreamBrokenAfterItsFirstTokenIsOneStreamBrokenEventAndOneCountedBreakOfItsTarget() throws Exception {
        server.always("gpt-4", Fault.unavailable());
        server.script("gpt-3.5-turbo", Fault.malformedChunk(3)); // a break at a place no timing moves
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StreamingChatModel model = Rebound.wrap(StreamingChatModel.class, LoopbackModels.openAiStreaming(server, "gpt-4"))
                .named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .withFallbacks(LoopbackModels.openAiStreaming(server, "gpt-3.5-turbo"))
                .settings(rec.settings().toBuilder().listener(new MicrometerListener(registry)).build()).build();
        RecordingStreamHandler h = new RecordingStreamHandler();

        model.chat(PROMPT, h);
        assertThat(rec.clock.awaitPendingTasks(1, REAL)).isTrue();
        rec.clock.runScheduled();
        h.awaitEnd();

        // the fallback streamed three tokens, then broke: the handler's exception is the event's failure
        assertThat(h.tokens).containsExactlyElementsOf(ModelServer.tokensOf(GPT35).subList(0, 3));
        Throwable cut = h.errors.get(0);
        assertThat(cut).isInstanceOf(PartialStreamException.class);
        assertThat(rec.events).extracting(ReboundEvent::kind).containsExactly(ReboundEvent.Kind.ATTEMPT_FAILED,
                ReboundEvent.Kind.RETRY_SCHEDULED, ReboundEvent.Kind.ATTEMPT_FAILED,
                ReboundEvent.Kind.RETRIES_EXHAUSTED, ReboundEvent.Kind.FALLBACK, ReboundEvent.Kind.SUCCEEDED,
                ReboundEvent.Kind.STREAM_BROKEN);
        ReboundEvent broken = rec.events.get(6);
        assertThat(broken.target()).isEqualTo("OpenAiStreamingChatModel");
        assertThat(broken.attempt()).isEqualTo(1);
        assertThat(broken.tokens()).isEqualTo(3);
        assertThat(broken.failure()).isSameAs(cut);
        assertThat(broken.toString()).doesNotContain(GPT35.substring(0, 12)).doesNotContain(PROMPT);
        assertThat(registry.get(MicrometerListener.STREAMS_BROKEN).tag("target", "OpenAiStreamingChatModel")
                .counter().count()).isEqualTo(1.0);
        assertThat(registry.find(MicrometerListener.STREAMS_BROKEN).counters()).hasSize(1);
        assertThat(server.requestCounts()).containsEntry("gpt-4", 2).containsEntry("gpt-3.5-turbo", 1);
    }

    @Test
    void aStreamThatEndsWellIsNoBreak() throws Exception {
        RecordingStreamHandler h = new RecordingStreamHandler();
        resilient(2).chat(PROMPT, h);
        h.awaitEnd();
        assertThat(h.completions).hasSize(1);
        assertThat(rec.events).isEmpty();
    }

    /** A streaming model over {@code target} that retries twice, 100 ms apart, on the recording's clock. */
    private StreamingChatModel retryingTwice(StreamingChatModel target) {
        return Rebound.wrap(StreamingChatModel.class, target).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(rec.settings()).build();
    }

    /**
     * A model streaming on its caller's thread (an in-memory model, a client that read the response there)
     * delivers a token, then its own code throws: the stream was the caller's from that token, so it
     * breaks there, never restarted; after its ending, a throw changes nothing.
     */
    @Test
    void aTargetThatThrowsOnTheCallersThreadAfterItsFirstTokenBreaksTheStreamAndIsNeverRetried() {
        IllegalStateException bookkeeping = new IllegalStateException("the model's bookkeeping failed after a token");
        ScriptedStream target = new ScriptedStream().then(h -> {
            h.onPartialResponse("first");
            throw bookkeeping;
        });
        RecordingStreamHandler h = new RecordingStreamHandler();

        retryingTwice(target).chat(PROMPT, h);
        rec.clock.runScheduled();

        assertThat(h.tokens).containsExactly("first");
        assertThat(target.handlers).as("attempts").hasSize(1);
        assertThat(h.endingKinds).containsExactly("error");
        assertThat(h.errors.get(0)).isInstanceOfSatisfying(PartialStreamException.class, cut -> {
            assertThat(cut.partialText()).isEqualTo("first");
            assertThat(cut.getCause()).isSameAs(bookkeeping);
        });
        assertThat(rec.events).extracting(ReboundEvent::kind).containsExactly(ReboundEvent.Kind.STREAM_BROKEN);

        // a throw after the stream completed: the handler had its one ending, and gets nothing more
        rec.events.clear();
        ScriptedStream completesThenThrows = new ScriptedStream().then(s -> {
            s.onPartialResponse("ok");
            s.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("ok")).build());
            throw bookkeeping;
        });
        RecordingStreamHandler completed = new RecordingStreamHandler();

        retryingTwice(completesThenThrows).chat(PROMPT, completed);
        rec.clock.runScheduled();

        assertThat(completed.tokens).containsExactly("ok");
        assertThat(completed.endingKinds).containsExactly("complete");
        assertThat(completesThenThrows.handlers).as("attempts").hasSize(1);
        assertThat(rec.events).isEmpty();
    }

    /**
     * The caller's handler stops the stream by throwing from its first token, and the model calls the
     * handler directly, on the caller's thread: the handler gets its own exception as its one onError, as
     * unwrapped, the stream is not restarted and the model is not reported broken.
     */
    @Test
    void aHandlerThatThrowsFromItsFirstTokenGetsItsOwnExceptionAndIsNotStreamedToAgain() {
        ScriptedStream target = new ScriptedStream().then(s -> {
            s.onPartialResponse("one");
            s.onPartialResponse("two");
            s.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("onetwo")).build());
        });
        RecordingStreamHandler h = new RecordingStreamHandler();
        IllegalStateException stop = new IllegalStateException("the caller stops");
        h.stopWith = stop;

        retryingTwice(target).chat(PROMPT, h);
        rec.clock.runScheduled();

        assertThat(h.tokens).containsExactly("one");
        assertThat(h.endingKinds).containsExactly("error");
        assertThat(h.errors).singleElement().isSameAs(stop);
        assertThat(target.handlers).as("attempts").hasSize(1);
        assertThat(rec.events).isEmpty();
    }

    /**
     * A model streaming on its caller's thread: a VirtualMachineError, the target's own after its first
     * token or the caller's handler's from its first token, reaches the handler's onError (the target's as
     * the PartialStreamException's cause), once, never retried: the handler is the stream's one channel.
     */
    @Test
    void aVirtualMachineErrorOnTheCallersThreadReachesTheHandlerWhetherTheTargetOrTheHandlerThrewIt() {
        OutOfMemoryError targets = new OutOfMemoryError("the model's buffer");
        ScriptedStream failing = new ScriptedStream().then(s -> {
            s.onPartialResponse("one");
            throw targets;
        });
        RecordingStreamHandler first = new RecordingStreamHandler();
        retryingTwice(failing).chat(PROMPT, first);

        StackOverflowError handlers = new StackOverflowError("the handler overflowed");
        ScriptedStream answering = new ScriptedStream().then(s -> {
            s.onPartialResponse("one");
            s.onPartialResponse("two");
            s.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("onetwo")).build());
        });
        RecordingStreamHandler second = new RecordingStreamHandler();
        second.stopWith = handlers;
        retryingTwice(answering).chat(PROMPT, second);
        rec.clock.runScheduled();

        assertThat(first.tokens).containsExactly("one");
        assertThat(first.errors).singleElement().isInstanceOf(PartialStreamException.class)
                .satisfies(e -> assertThat(e.getCause()).isSameAs(targets));
        assertThat(failing.handlers).as("attempts").hasSize(1);
        assertThat(second.tokens).containsExactly("one");
        assertThat(second.errors).singleElement().isSameAs(handlers);
        assertThat(answering.handlers).as("attempts").hasSize(1);
    }

    /**
     * A VirtualMachineError that comes when nobody is left to tell is never dropped: the handler's, thrown
     * after its call ended meanwhile (a listener's Error ended it), goes up; a target's, thrown on its
     * caller's thread after the stream completed, is logged at ERROR by class name.
     */
    @Test
    void aVirtualMachineErrorAfterTheStreamEndedIsThrownOnOrLoggedNeverDropped() {
        AtomicReference<dev.rebound.runtime.internal.stream.StreamAttempt> attempt = new AtomicReference<>();
        AssertionError listenerError = new AssertionError("a listener's Error ends the call");
        StackOverflowError overflow = new StackOverflowError("the handler overflowed");
        List<Throwable> endedErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.langchain4j.model.chat.response.StreamingChatResponseHandler ended =
                new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String token) {
                        attempt.get().endCall(listenerError); // the call ends meanwhile
                        throw overflow;
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                    }

                    @Override
                    public void onError(Throwable error) {
                        endedErrors.add(error);
                    }
                };
        attempt.set(dev.rebound.runtime.internal.stream.StreamAttempt.start(ended, new VirtualTimeSource(), null));
        Throwable fromHandler = catchThrowable(() -> attempt.get().onPartialResponse("one"));

        OutOfMemoryError oom = new OutOfMemoryError("the model's buffer");
        ScriptedStream completesThenThrows = new ScriptedStream().then(s -> {
            s.onPartialResponse("ok");
            s.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("ok")).build());
            throw oom;
        });
        RecordingStreamHandler completed = new RecordingStreamHandler();
        String log = dev.rebound.runtime.StdErr.during(() -> {
            retryingTwice(completesThenThrows).chat(PROMPT, completed);
            rec.clock.runScheduled();
        });

        assertThat(fromHandler).isSameAs(overflow);
        assertThat(endedErrors).containsExactly(listenerError);
        assertThat(completed.endingKinds).containsExactly("complete");
        assertThat(completesThenThrows.handlers).as("attempts").hasSize(1);
        assertThat(log).contains("ERROR").contains(": java.lang.OutOfMemoryError was thrown after the stream had ended;"
                + " not delivered").doesNotContain("the model's buffer");

        // a client that reports its error to the handler and then throws it: delivered, so not logged as lost
        OutOfMemoryError reported = new OutOfMemoryError("reported, then thrown");
        ScriptedStream reportsThenThrows = new ScriptedStream().then(s -> {
            s.onPartialResponse("one");
            s.onError(reported);
            throw reported;
        });
        RecordingStreamHandler told = new RecordingStreamHandler();
        String quiet = dev.rebound.runtime.StdErr.during(() -> {
            retryingTwice(reportsThenThrows).chat(PROMPT, told);
            rec.clock.runScheduled();
        });
        assertThat(told.errors).singleElement().isInstanceOf(PartialStreamException.class)
                .satisfies(e -> assertThat(e.getCause()).isSameAs(reported));
        assertThat(quiet).doesNotContain("not delivered");
    }

    /**
     * Over real HTTP (langchain4j's OpenAI client, which hands a handler's exception to onError): the
     * caller's handler throws from its first token. The caller stopped; the model did not break.
     */
    @Test
    void aHandlerThatThrowsOverHttpGetsItsOwnExceptionAndTheModelIsNotReportedBroken() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StreamingChatModel model = Rebound.wrap(StreamingChatModel.class, LoopbackModels.openAiStreaming(server, "gpt-4"))
                .named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .withFallbacks(LoopbackModels.openAiStreaming(server, "gpt-3.5-turbo"))
                .settings(rec.settings().toBuilder().listener(new MicrometerListener(registry)).build()).build();
        RecordingStreamHandler h = new RecordingStreamHandler();
        IllegalStateException stop = new IllegalStateException("the caller stops");
        h.stopWith = stop;

        model.chat(PROMPT, h);
        h.awaitEnd();

        assertThat(h.errors).singleElement().isSameAs(stop);
        assertThat(h.tokens).containsExactly(ModelServer.tokensOf(GPT4).get(0));
        assertThat(h.endings).hasValue(1);
        assertThat(rec.events).extracting(ReboundEvent::kind).doesNotContain(ReboundEvent.Kind.STREAM_BROKEN);
        assertThat(registry.find(MicrometerListener.STREAMS_BROKEN).counters()).isEmpty();
        assertThat(server.requestCounts()).containsEntry("gpt-4", 1).doesNotContainKey("gpt-3.5-turbo");
    }

    @Test
    void whenEveryModelFailsBeforeItsFirstTokenTheHandlerGetsThePrimarysLastFailureWithTheOthersSuppressed()
            throws Exception {
        server.always("gpt-4", Fault.unavailable());
        server.always("gpt-3.5-turbo", Fault.serverError());
        RecordingStreamHandler h = new RecordingStreamHandler();

        resilient(2).chat(PROMPT, h);
        assertThat(rec.clock.awaitPendingTasks(1, REAL)).isTrue();
        rec.clock.runScheduled();
        h.awaitEnd();

        assertThat(h.tokens).isEmpty();
        assertThat(h.errors).singleElement().satisfies(e -> {
            assertThat(e).isInstanceOf(InternalServerException.class).isSameAs(rec.attemptFailures().get(1));
            assertThat(e.getSuppressed()).containsExactly(rec.attemptFailures().get(0), rec.attemptFailures().get(2));
        });
        assertThat(h.endings).hasValue(1);
        assertThat(server.requestCounts()).containsEntry("gpt-4", 2).containsEntry("gpt-3.5-turbo", 1);
    }

    @Test
    void aStreamStartedInAParallelBranchIsCancelledWithTheBranchAndMakesNoFurtherAttempt() {
        VirtualTimeSource clock = new VirtualTimeSource();
        ScriptedStream target = resetBeforeTheFirstToken();
        StreamingChatModel model = retrying(target, clock);
        RecordingStreamHandler handler = new RecordingStreamHandler();
        Callable<String> streaming = () -> {
            model.chat(PROMPT, handler);
            handler.ended.get(); // interrupted when the other branch fails
            return handler.text();
        };

        assertBranchsStreamIsCancelledWithIt(streaming, target, handler, clock);
        assertThat(handler.endings).hasValue(1);
    }

    /**
     * A branch that starts a stream and returns at once (the handler is a UI's, a queue's) has succeeded:
     * its stream is its caller's, not cancelled when a sibling fails later, and goes on retrying.
     */
    @Test
    void aStreamWhoseParallelBranchHadReturnedIsNotCancelledByASiblingsLaterFailure() {
        VirtualTimeSource clock = new VirtualTimeSource();
        StreamingChatModel model = retrying(new ScriptedStream()
                .then(h -> h.onError(new IOException("connection reset before the first token"))), clock);
        RecordingStreamHandler handler = new RecordingStreamHandler();
        IllegalStateException other = new IllegalStateException("the other branch failed for good");
        CountDownLatch streamingBranchEnded = new CountDownLatch(1);
        AtomicInteger submitted = new AtomicInteger();
        Executor threads = task -> {
            boolean streamingBranch = submitted.getAndIncrement() == 0;
            new Thread(() -> {
                task.run();
                if (streamingBranch) {
                    streamingBranchEnded.countDown(); // returned and left its run
                }
            }).start();
        };
        Callable<String> streaming = () -> {
            model.chat(PROMPT, handler); // handed off: this branch's work is done
            return "started";
        };
        Callable<String> failing = () -> {
            streamingBranchEnded.await();
            assertThat(clock.awaitPendingTasks(1, REAL)).isTrue(); // the stream waits to retry
            throw other;
        };

        assertThat(catchThrowable(() -> Parallel.invokeAll(threads, List.of(streaming, failing)))).isSameAs(other);
        clock.advance(Duration.ofHours(1));

        assertThat("tokens=" + handler.tokens + " errors=" + handler.errors).isEqualTo("tokens=[ok] errors=[]");
    }

    /**
     * A Batch input that starts a stream and returns has its outcome: the stream is its caller's, not
     * cancelled when the batch is cancelled later, while another input is still running.
     */
    @Test
    void aStreamWhoseBatchInputHadReturnedIsNotCancelledWhenTheBatchIsCancelledLater() throws Exception {
        VirtualTimeSource clock = new VirtualTimeSource();
        StreamingChatModel model = retrying(new ScriptedStream()
                .then(h -> h.onError(new IOException("connection reset before the first token"))), clock);
        RecordingStreamHandler handler = new RecordingStreamHandler();
        CountDownLatch secondInputRunning = new CountDownLatch(1);
        AtomicReference<Throwable> callerGot = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                Batch.map(List.of("stream", "block"), 1, input -> {
                    if (input.equals("stream")) {
                        model.chat(PROMPT, handler);
                        return "started";
                    }
                    secondInputRunning.countDown();
                    new CountDownLatch(1).await(REAL.toMillis(), TimeUnit.MILLISECONDS); // until the batch is cancelled
                    return "slept";
                });
            } catch (Throwable t) {
                callerGot.set(t);
            }
        });
        caller.start();
        secondInputRunning.await(); // the same worker took the next input: its branch goes on
        assertThat(clock.awaitPendingTasks(1, REAL)).isTrue(); // the stream waits to retry
        caller.interrupt();
        caller.join(REAL.toMillis());
        clock.advance(Duration.ofHours(1));

        assertThat("batch threw=" + callerGot.get() + " tokens=" + handler.tokens + " errors=" + handler.errors)
                .isEqualTo("batch threw=java.util.concurrent.CompletionException: interrupted while waiting for the "
                        + "branches tokens=[ok] errors=[]");
    }

    /**
     * A nested Parallel's branch starts a stream and returns: the stream is its caller's, the outer branch,
     * still running (waiting on the handler) when the outer run cancels it, so it is cancelled with it.
     */
    @Test
    void aStreamANestedParallelBranchHandedToItsStillRunningOuterBranchIsCancelledWithThatBranch() {
        VirtualTimeSource clock = new VirtualTimeSource();
        ScriptedStream target = resetBeforeTheFirstToken();
        StreamingChatModel model = retrying(target, clock);
        RecordingStreamHandler handler = new RecordingStreamHandler();
        Callable<String> streaming = () -> {
            Parallel.invokeAll(List.<Callable<String>>of(() -> {
                model.chat(PROMPT, handler); // the nested branch returns: handed over to this outer branch
                return "started";
            }));
            handler.ended.get(); // still running: interrupted when the other branch fails
            return handler.text();
        };

        assertBranchsStreamIsCancelledWithIt(streaming, target, handler, clock);
    }

    /** The same through a Batch inside the Parallel branch: the input hands its stream over to that branch. */
    @Test
    void aStreamABatchInputInsideAParallelBranchHandedToThatBranchIsCancelledWithThatBranch() {
        VirtualTimeSource clock = new VirtualTimeSource();
        ScriptedStream target = resetBeforeTheFirstToken();
        StreamingChatModel model = retrying(target, clock);
        RecordingStreamHandler handler = new RecordingStreamHandler();
        Callable<String> streaming = () -> {
            Batch.map(List.of("q"), 1, q -> {
                model.chat(PROMPT, handler); // the input has its outcome: handed over to this outer branch
                return "started";
            });
            handler.ended.get();
            return handler.text();
        };

        assertBranchsStreamIsCancelledWithIt(streaming, target, handler, clock);
    }

    /**
     * Runs {@code streaming} beside a branch that fails once the stream waits to retry: the stream is
     * cancelled with the streaming branch, before its second attempt.
     */
    private static void assertBranchsStreamIsCancelledWithIt(Callable<String> streaming, ScriptedStream target,
            RecordingStreamHandler handler, VirtualTimeSource clock) {
        IllegalStateException other = new IllegalStateException("the other branch failed for good");
        Callable<String> failing = () -> {
            assertThat(clock.awaitPendingTasks(1, REAL)).isTrue(); // the stream waits to retry
            throw other;
        };

        assertThat(catchThrowable(() -> Parallel.invokeAll(List.of(streaming, failing)))).isSameAs(other);
        int timersLeft = clock.pendingTasks();
        clock.advance(Duration.ofHours(1));

        assertThat("timers left=" + timersLeft + " attempts=" + target.handlers.size() + " tokens="
                + handler.tokens.size() + " errors=" + handler.errors.size())
                .isEqualTo("timers left=0 attempts=1 tokens=0 errors=1");
        assertThat(handler.errors).singleElement().isInstanceOf(CancellationException.class);
    }

    /**
     * shutdownNow() interrupts a Batch input waiting on the handler of the stream it started: the input is
     * reported cancelled, and its stream, never handed over, is cancelled too, as a Parallel branch's is.
     */
    @Test
    void aBatchInputInterruptedByShutdownNowHasItsStreamCancelled() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        StoppedBatch b = batchStoppedWhileItsStreamWaits(pool, true, caller -> pool.shutdownNow());

        assertThat("input cancelled=" + b.got() + " timers left=" + b.timersLeft() + " attempts="
                + b.attempts() + " tokens=" + b.handler().tokens.size())
                .isEqualTo("input cancelled=true timers left=0 attempts=1 tokens=0");
        assertThat(b.handler().errors).singleElement().isInstanceOf(CancellationException.class);
    }

    /** A target whose first attempt fails before its first token; its next ones stream "ok". */
    private static ScriptedStream resetBeforeTheFirstToken() {
        return new ScriptedStream().then(h -> h.onError(new IOException("connection reset before the first token")));
    }

    /** A streaming model over {@code target} that retries 3 times, 100 ms apart, on {@code clock}. */
    private static StreamingChatModel retrying(ScriptedStream target, VirtualTimeSource clock) {
        return Rebound.wrap(StreamingChatModel.class, target).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();
    }

    @Test
    void aStreamCancelledWithItsParallelBranchSendsNoFurtherRequestOverHttp() throws Exception {
        server.script("gpt-4", Fault.unavailable());
        StreamingChatModel model = resilient(3);
        RecordingStreamHandler handler = new RecordingStreamHandler();
        IllegalStateException other = new IllegalStateException("retriever failed for good");
        Callable<String> streaming = () -> {
            model.chat(PROMPT, handler);
            handler.ended.get();
            return handler.text();
        };
        Callable<String> failing = () -> {
            assertThat(rec.clock.awaitPendingTasks(1, REAL)).isTrue(); // 503 seen, the retry waits
            throw other;
        };

        assertThat(catchThrowable(() -> Parallel.invokeAll(List.of(streaming, failing)))).isSameAs(other);
        // the wait was cancelled; the HTTP thread that scheduled it may still be on its way out of scheduling
        for (long deadline = System.nanoTime() + REAL.toNanos(); rec.clock.pendingTasks() > 0
                && System.nanoTime() < deadline; ) {
            Thread.onSpinWait();
        }
        int timersLeft = rec.clock.pendingTasks();
        int timersRun = rec.clock.runScheduled();

        assertThat("timers left=" + timersLeft + " run=" + timersRun + " requests=" + server.requests("gpt-4") + "+"
                + server.requests("gpt-3.5-turbo") + " tokens=" + handler.tokens.size())
                .isEqualTo("timers left=0 run=0 requests=1+0 tokens=0");
        assertThat(handler.errors).singleElement().isInstanceOf(CancellationException.class);
    }

    /**
     * The plainest input: it waits on its handler and lets the InterruptedException out (Call declares
     * Exception), which takes the interrupt flag: shutdownNow() still stops it, with its stream.
     */
    @Test
    void aBatchInputThatThrowsTheShutdownNowInterruptIsCancelledWithItsStream() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        StoppedBatch b = batchStoppedWhileItsStreamWaits(pool, false, caller -> pool.shutdownNow());

        assertThat("input cancelled=" + b.got() + " timers left=" + b.timersLeft() + " attempts="
                + b.attempts() + " tokens=" + b.handler().tokens.size())
                .isEqualTo("input cancelled=true timers left=0 attempts=1 tokens=0");
    }

    /** An executor that runs in place: the caller's interrupt stops the input, and its stream with it. */
    @Test
    void aBatchRunInPlaceStopsTheInputAndItsStreamAtTheCallersInterrupt() throws Exception {
        StoppedBatch b = batchStoppedWhileItsStreamWaits(Runnable::run, true, Thread::interrupt);

        assertThat("timers left=" + b.timersLeft() + " attempts=" + b.attempts() + " tokens="
                + b.handler().tokens.size() + " got=" + b.got())
                .startsWith("timers left=0 attempts=1 tokens=0");
    }

    /** What {@link #batchStoppedWhileItsStreamWaits} saw: the batch's answer (the input's isCancelled, or what it threw). */
    private record StoppedBatch(Object got, int timersLeft, int attempts, RecordingStreamHandler handler) {
    }

    /**
     * A Batch of one input on {@code executor} that starts a retrying stream and waits on its handler, stopped
     * by {@code stop} (given the caller's thread) once the stream waits to retry; the input lets the
     * InterruptedException out, keeping the flag first when {@code keepsTheFlag} (as a Rebound retry does).
     * Read once the batch returned, then the clock run an hour on.
     */
    private static StoppedBatch batchStoppedWhileItsStreamWaits(Executor executor, boolean keepsTheFlag,
            java.util.function.Consumer<Thread> stop) throws Exception {
        VirtualTimeSource clock = new VirtualTimeSource();
        ScriptedStream target = resetBeforeTheFirstToken();
        StreamingChatModel model = retrying(target, clock);
        RecordingStreamHandler handler = new RecordingStreamHandler();
        AtomicReference<Object> got = new AtomicReference<>();
        CountDownLatch batchReturned = new CountDownLatch(1);
        Thread caller = new Thread(() -> {
            try {
                got.set(Batch.map(executor, List.of("q"), 1, q -> {
                    model.chat(PROMPT, handler);
                    try {
                        handler.ended.get();
                    } catch (InterruptedException interrupted) {
                        if (keepsTheFlag) {
                            Thread.currentThread().interrupt();
                        }
                        throw interrupted;
                    }
                    return handler.text();
                }).get(0).isCancelled());
            } catch (Throwable t) {
                got.set(t);
            } finally {
                batchReturned.countDown();
            }
        });
        caller.start();
        assertThat(clock.awaitPendingTasks(1, REAL)).isTrue(); // the stream waits to retry
        stop.accept(caller);
        assertThat(batchReturned.await(REAL.toSeconds(), TimeUnit.SECONDS)).isTrue();
        int timersLeft = clock.pendingTasks();
        clock.advance(Duration.ofHours(1));
        return new StoppedBatch(got.get(), timersLeft, target.handlers.size(), handler);
    }
}
