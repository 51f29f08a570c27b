package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What a call leaves reachable once it has ended: nothing of its own but its outcome. A caller that
 * keeps the futures of finished calls (a cache of answers, a map of requests) keeps the answers, not
 * the prompts nor the failures met on the way; a call its caller ended keeps nothing either, even on a
 * clock that holds a cancelled timer until its time. Checked with weak references and a bounded
 * number of collections.
 */
class RetentionTest {

    /** A call's argument, distinct by type so that what holds it is the call. */
    static final class Prompt {
    }

    /** An attempt's answer. */
    static final class Answer {
    }

    /** An attempt's failure. */
    static final class Boom extends IOException {
        Boom() {
            super("503");
        }
    }

    interface Asker {
        CompletableFuture<Answer> ask(Prompt p);
    }

    /**
     * Fails its first {@code failures} calls (with a future already failed, or {@linkplain #later} with
     * one the test fails), then answers; keeps weak references to every prompt, failure and answer.
     */
    static final class Scripted implements Asker {
        int failures;
        boolean later;
        final List<CompletableFuture<Answer>> pending = new ArrayList<>();
        final List<Boom> pendingFailures = new ArrayList<>();
        final List<WeakReference<Object>> prompts = new ArrayList<>();
        final List<WeakReference<Object>> failed = new ArrayList<>();
        Answer answer;

        Scripted(int failures) {
            this.failures = failures;
        }

        @Override
        public CompletableFuture<Answer> ask(Prompt p) {
            prompts.add(new WeakReference<>(p));
            if (failures-- > 0) {
                Boom b = new Boom();
                failed.add(new WeakReference<>(b));
                if (later) {
                    CompletableFuture<Answer> f = new CompletableFuture<>();
                    pending.add(f);
                    pendingFailures.add(b);
                    return f;
                }
                return CompletableFuture.failedFuture(b);
            }
            answer = new Answer();
            return CompletableFuture.completedFuture(answer);
        }

        /** Fails the attempts left pending, each with the failure made for it. */
        void failPending() {
            List<CompletableFuture<Answer>> due = new ArrayList<>(pending);
            List<Boom> failures = new ArrayList<>(pendingFailures);
            pending.clear();
            pendingFailures.clear();
            for (int i = 0; i < due.size(); i++) {
                due.get(i).completeExceptionally(failures.get(i));
            }
        }

        List<WeakReference<Object>> promptsAndFailures() {
            List<WeakReference<Object>> all = new ArrayList<>(prompts);
            all.addAll(failed);
            return all;
        }
    }

    /** How many of {@code refs} are still reachable after up to 30 collections. */
    static int reachable(List<WeakReference<Object>> refs) {
        for (int i = 0; i < 30 && refs.stream().anyMatch(r -> r.get() != null); i++) {
            System.gc();
        }
        return (int) refs.stream().filter(r -> r.get() != null).count();
    }

    private final VirtualTimeSource time = new VirtualTimeSource();
    private final ReboundSettings settings = ReboundSettings.builder().timeSource(time).listener(e -> { })
            .logging(false).build();

    private Asker wrapped(Scripted target, RetryPolicy retry) {
        return Rebound.wrap(Asker.class, (Asker) target).withRetry(retry).settings(settings).build();
    }

    private static RetryPolicy threeAttempts() {
        return RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build();
    }

    /** Runs the call's waits until its future is done; the caller keeps the future. */
    private CompletableFuture<Answer> finished(CompletableFuture<Answer> f, Scripted target) {
        for (int i = 0; i < 100 && !f.isDone(); i++) {
            target.failPending();
            time.runScheduled();
        }
        assertThat(f).isDone();
        return f;
    }

    interface Replier {
        Answer reply(Prompt p) throws IOException;
    }

    /**
     * A synchronous call that a listener's {@code Error} ended while the call's listeners were asked what
     * they want (the call state borrowed for their answers) keeps none of them on its thread, once the
     * caller has dropped the wrapper and its settings.
     */
    @Test
    void aCallEndedByAListenersErrorFromItsDemandKeepsNoneOfItsListenersOnItsThread() {
        List<WeakReference<Object>> listeners = new ArrayList<>();
        callEndedByAListenersError(listeners);
        assertThat(reachable(listeners)).as("the call's listeners still reachable").isZero();
    }

    private static void callEndedByAListenersError(List<WeakReference<Object>> listeners) {
        AssertionError broken = new AssertionError("listener broken");
        ReboundListener wantsAll = new ReboundListener() {
            @Override
            public void onEvent(ReboundEvent event) {
            }
        };
        ReboundListener throwing = EventDemandTest.demandThrows(broken);
        listeners.add(new WeakReference<>(wantsAll));
        listeners.add(new WeakReference<>(throwing));
        Replier target = p -> {
            throw new Boom();
        };
        Replier wrapped = Rebound.wrap(Replier.class, target).withRetry(threeAttempts())
                .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource()).listener(wantsAll)
                        .listener(throwing).logging(false).build()).build();
        assertThat(catchThrowable(() -> wrapped.reply(new Prompt())))
                .isSameAs(broken);
    }

    @Test
    void aFinishedFutureTheCallerKeepsHoldsItsAnswerNotThePromptNorTheFailures() {
        Scripted target = new Scripted(1);
        Asker asker = wrapped(target, threeAttempts());

        CompletableFuture<Answer> kept = finished(asker.ask(new Prompt()), target);

        assertThat(kept.join()).isSameAs(target.answer);
        assertThat(target.prompts).hasSize(2);
        assertThat(reachable(target.promptsAndFailures())).as("prompt, and the first attempt's failure").isZero();
        assertThat(kept.join()).as("the answer stays: it is the future's value").isSameAs(target.answer);
    }

    @Test
    void aFirstAttemptThatFailsAfterTheCallReturnedLeavesNothingInTheKeptFuture() {
        Scripted target = new Scripted(2);
        target.later = true;
        Asker asker = wrapped(target, threeAttempts());

        CompletableFuture<Answer> kept = finished(asker.ask(new Prompt()), target);

        assertThat(target.prompts).hasSize(3);
        assertThat(reachable(target.promptsAndFailures())).as("prompt, two failures").isZero();
        assertThat(kept.join()).isSameAs(target.answer);
    }

    @Test
    void aCallWhoseChainRanEveryAttemptLeavesNothingInTheKeptFuture() {
        Scripted target = new Scripted(1);
        Asker asker = wrapped(target, RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10))
                .attemptTimeout(Duration.ofSeconds(5)).build()); // a timeout: the chain runs attempt 1 too

        CompletableFuture<Answer> kept = finished(asker.ask(new Prompt()), target);

        assertThat(reachable(target.promptsAndFailures())).as("prompt, and the first attempt's failure").isZero();
        assertThat(kept.join()).isSameAs(target.answer);
        assertThat(time.pendingTasks()).isZero();
    }

    @Test
    void aFallbacksAnswerKeptLeavesNothingOfThePrimaryNorOfTheCall() {
        Scripted primary = new Scripted(5);
        Scripted alternative = new Scripted(0);
        Asker asker = Rebound.wrap(Asker.class, (Asker) primary).withRetry(threeAttempts())
                .withFallbacks(alternative).settings(settings).build();

        CompletableFuture<Answer> kept = finished(asker.ask(new Prompt()), primary);

        assertThat(kept.join()).isSameAs(alternative.answer);
        List<WeakReference<Object>> refs = primary.promptsAndFailures();
        refs.addAll(alternative.prompts);
        assertThat(refs).hasSize(7);
        assertThat(reachable(refs)).as("the primary's prompts and failures, the alternative's prompt").isZero();
    }

    /**
     * The caller ends the call during its backoff, keeping its future. The virtual clock, like
     * {@code java.util.Timer} or a timing wheel, keeps the cancelled wait's timer until it is polled:
     * the timer holds nothing of the call either.
     */
    @Test
    void aCallTheCallerEndsInItsBackoffLeavesNothingInTheFutureNorInTheCancelledTimer() {
        for (String how : List.of("cancel", "complete")) {
            VirtualTimeSource clock = new VirtualTimeSource();
            Scripted target = new Scripted(100);
            Asker asker = Rebound.wrap(Asker.class, (Asker) target)
                    .withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ofSeconds(10)).jitter(false)
                            .attemptTimeout(Duration.ofSeconds(5)).build())
                    .settings(ReboundSettings.builder().timeSource(clock).listener(e -> { }).logging(false).build())
                    .build();

            CompletableFuture<Answer> kept = asker.ask(new Prompt());
            assertThat(clock.scheduled()).as(how + ": the failed attempt's timer, cancelled, then the wait")
                    .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10));
            if (how.equals("cancel")) {
                kept.cancel(true);
            } else {
                kept.complete(null);
            }

            assertThat(target.promptsAndFailures()).hasSize(2);
            assertThat(reachable(target.promptsAndFailures())).as(how + ": prompt, failure").isZero();
            assertThat(clock.pendingTasks()).as(how).isZero();
            assertThat(target.prompts).as(how + ": no further attempt").hasSize(1);
            assertThat(kept).isDone();
        }
    }

    interface Streamer {
        void stream(Prompt p, StreamingChatResponseHandler handler);
    }

    /** A caller's handler, which the caller keeps: what it was told. */
    static final class KeptHandler implements StreamingChatResponseHandler {
        final StringBuilder text = new StringBuilder();
        final List<Throwable> errors = new ArrayList<>();
        int endings;

        @Override
        public void onPartialResponse(String partialResponse) {
            text.append(partialResponse);
        }

        @Override
        public void onCompleteResponse(ChatResponse completeResponse) {
            endings++;
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
            endings++;
        }
    }

    /**
     * A streamed call retried once: once its handler has had its ending, nothing but what the handler
     * was told is reachable, the handler kept by its caller and the wrapper by its service (a streaming
     * client drops the handler it was given once the stream ended).
     */
    @Test
    void aStreamedCallWhoseHandlerHadItsEndingKeepsNoPromptNorFailure() {
        List<WeakReference<Object>> refs = new ArrayList<>();
        int[] calls = {0};
        Streamer target = (p, h) -> {
            refs.add(new WeakReference<>(p));
            if (calls[0]++ == 0) {
                Boom b = new Boom();
                refs.add(new WeakReference<>(b));
                h.onError(b);
                return;
            }
            h.onPartialResponse("o");
            h.onPartialResponse("k");
            h.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("ok")).build());
        };
        Streamer streamer = Rebound.wrap(Streamer.class, target).withRetry(threeAttempts()).settings(settings)
                .build();
        KeptHandler handler = new KeptHandler();

        streamer.stream(new Prompt(), handler);
        time.runScheduled();

        assertThat(handler.text).hasToString("ok");
        assertThat(handler.endings).isOne();
        assertThat(handler.errors).isEmpty();
        assertThat(refs).hasSize(3);
        assertThat(reachable(refs)).as("prompt, and the first attempt's failure").isZero();
        assertThat(time.pendingTasks()).isZero();
    }

    @Test
    void aCallTheCallerEndsKeepsNoEarlierAttemptsFailureInThatAttemptsCancelledTimeoutTimer() {
        VirtualTimeSource clock = new VirtualTimeSource();
        Scripted target = new Scripted(100);
        target.later = true; // each attempt's future fails after the call returned: the chain's timer is armed
        Asker asker = Rebound.wrap(Asker.class, (Asker) target)
                .withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ofMillis(10)).jitter(false)
                        .attemptTimeout(Duration.ofSeconds(60)).build())
                .settings(ReboundSettings.builder().timeSource(clock).listener(e -> { }).logging(false).build())
                .build();

        CompletableFuture<Answer> kept = asker.ask(new Prompt());
        target.failPending(); // attempt 1 fails on its own, long before its 60 s: its timer is cancelled
        clock.advance(Duration.ofMillis(10)); // the backoff: attempt 2 starts, in flight
        assertThat(target.prompts).hasSize(2);
        kept.cancel(true); // the caller ends the call

        assertThat(kept).isCancelled();
        assertThat(target.failed).hasSize(2);
        // attempt 2's future and failure are still the test's own (Scripted keeps them): let them go
        target.pending.clear();
        target.pendingFailures.clear();
        List<WeakReference<Object>> refs = new ArrayList<>(target.prompts);
        refs.add(target.failed.get(0));
        int reachable = reachable(refs);
        clock.pendingTasks(); // drops the cancelled timers the clock still held
        int withoutTheCancelledTimers = reachable(refs);
        assertThat(reachable)
                .as("prompt and attempt 1's failure, after the caller ended the call (once the clock drops its"
                        + " cancelled timers: " + withoutTheCancelledTimers + ")").isZero();
    }

    /**
     * The same doc: "A streamed call keeps nothing once its handler had its ending (RetentionTest)", here
     * with an attemptTimeout whose first attempt fails after the call returned (a 503 from the server).
     */
    @Test
    void aStreamedCallWithAnAttemptTimeoutKeepsItsFirstAttemptsFailureOnceItsHandlerHadItsEnding() {
        VirtualTimeSource clock = new VirtualTimeSource();
        List<WeakReference<Object>> refs = new ArrayList<>();
        List<StreamingChatResponseHandler> open = new ArrayList<>(); // the server's pending responses
        int[] calls = {0};
        Streamer target = (p, h) -> {
            refs.add(new WeakReference<>(p));
            if (calls[0]++ == 0) {
                open.add(h); // answered later
                return;
            }
            h.onPartialResponse("ok");
            h.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("ok")).build());
        };
        Streamer streamer = Rebound.wrap(Streamer.class, target)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).jitter(false)
                        .attemptTimeout(Duration.ofSeconds(60)).build())
                .settings(ReboundSettings.builder().timeSource(clock).listener(e -> { }).logging(false).build())
                .build();
        KeptHandler handler = new KeptHandler();

        streamer.stream(new Prompt(), handler);
        Boom boom = new Boom();
        refs.add(new WeakReference<>(boom));
        open.remove(0).onError(boom); // attempt 1 fails long before its 60 s
        boom = null;
        clock.advance(Duration.ofMillis(10)); // the backoff; attempt 2 streams to its end

        assertThat(handler.text).hasToString("ok");
        assertThat(handler.endings).isOne();
        assertThat(refs).hasSize(3);
        int reachable = reachable(refs);
        clock.pendingTasks(); // drops the cancelled timers the clock still held
        assertThat(reachable).as("prompt, and the first attempt's failure, once the handler had its ending"
                + " (once the clock drops its cancelled timers: " + reachable(refs) + ")").isZero();
    }
}
