package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.AsyncCallsTest.Quotes;
import dev.rebound.runtime.AsyncCallsTest.Scripted;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.langchain4j.ChatResults;
import dev.rebound.runtime.testing.VirtualTimeSource;
import dev.langchain4j.data.message.AiMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The per-attempt timeout and the result predicates on methods returning a CompletionStage: a timer
 * scheduled on the call's clock that cancels the attempt's future and fails it with an
 * {@link AttemptTimeoutException}; the future's value judged as a synchronous result is. What the
 * asynchronous chain cannot apply (a fallback handler; a result predicate on a stream) is refused.
 */
class AsyncTimeoutAndResultTest {

    interface Streamer {
        void chat(String prompt, StreamingChatResponseHandler handler);
    }

    /** A finish-reason check on futures of a String (never judged), of a ChatResponse, and of an unknown value. */
    interface AsyncChat {
        @Retry(attempts = 2, delay = 1, jitter = false, onResult = ChatResults.Truncated.class)
        CompletableFuture<String> chat(String prompt);

        @Retry(attempts = 2, delay = 1, jitter = false, onResult = ChatResults.Truncated.class)
        CompletionStage<ChatResponse> respond(String prompt);

        @Retry(attempts = 2, delay = 1, jitter = false, onResult = ChatResults.Truncated.class)
        CompletableFuture<?> anything(String prompt);

        @Retry(attempts = 2, delay = 1, jitter = false, onResult = ChatResults.Truncated.class)
        <T> CompletableFuture<T> typed(String prompt);
    }

    /** A generic interface: what its futures carry, and what it returns, is fixed by the implementation. */
    interface GenericChat<R> {
        @Retry(attempts = 2, delay = 1, jitter = false, onResult = ChatResults.Truncated.class)
        CompletableFuture<R> chatLater(String prompt);

        @Retry(attempts = 2, delay = 1, jitter = false, onResult = ChatResults.Truncated.class)
        R chatNow(String prompt);
    }

    /** Its implementation as a chat of text: neither result can ever be a ChatResponse. */
    static final class TextChat implements GenericChat<String> {
        @Override
        public CompletableFuture<String> chatLater(String prompt) {
            return CompletableFuture.completedFuture(prompt);
        }

        @Override
        public String chatNow(String prompt) {
            return prompt;
        }
    }

    /** The same without annotations, for the builder's predicate. */
    interface PlainGenericChat<R> {
        CompletableFuture<R> chatLater(String prompt);
    }

    /** The message for a finish-reason check over a future of a String, after the method and the attribute. */
    private static final String TRUNCATED_OVER_A_FUTURE_OF_TEXT = " dev.rebound.runtime.langchain4j.ChatResults$Truncated"
            + " judges a dev.langchain4j.model.chat.response.ChatResponse or a dev.langchain4j.service.Result, which a"
            + " method returning %s<java.lang.String> never completes with: it would never reject a result (declare the method to return"
            + " %s<dev.langchain4j.model.chat.response.ChatResponse>, since a String has no finish reason, or name a"
            + " predicate of java.lang.String)";

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final Events events = new Events();

    private static RetryPolicy.Builder policy() {
        return RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false);
    }

    @Test
    void anAttemptPastItsTimeoutIsCancelledAndFailsWithAnAttemptTimeoutExceptionThenRetried() throws Exception {
        CompletableFuture<String> hanging = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").then(() -> hanging);
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(policy().attemptTimeout(Duration.ofMillis(500)).build())
                .settings(events.settings(clock)).build();

        CompletableFuture<String> result = quotes.quote("ACME");

        assertThat(clock.scheduled()).containsExactly(Duration.ofMillis(500));
        clock.advance(Duration.ofMillis(499));
        assertThat(hanging).isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThat(hanging).as("the timed-out attempt's future is cancelled").isCancelled();
        assertThat(events.of(Kind.ATTEMPT_FAILED)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("timeout");
            assertThat(e.failure()).isInstanceOf(AttemptTimeoutException.class);
            assertThat(((AttemptTimeoutException) e.failure()).timeout()).isEqualTo(Duration.ofMillis(500));
        });
        assertThat(clock.scheduled()).as("the timer, then the retry's wait")
                .containsExactly(Duration.ofMillis(500), Duration.ofMillis(100));
        clock.advance(Duration.ofMillis(100));
        assertThat(clock.scheduled()).as("the second attempt's timer starts with it, and is cancelled as it answers")
                .containsExactly(Duration.ofMillis(500), Duration.ofMillis(100), Duration.ofMillis(500));
        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(clock.pendingTasks()).as("the answered attempt's timer is cancelled").isZero();
        assertThat(clock.sleeps()).isEmpty();
    }

    @Test
    void withAResultPredicateTooTheTimedOutAttemptsOwnFutureIsCancelled() throws Exception {
        CompletableFuture<String> hanging = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").then(() -> hanging);
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(policy().attemptTimeout(Duration.ofMillis(500)).retryOnResult((String s) -> s.isBlank())
                        .build())
                .settings(events.settings(clock)).build();

        CompletableFuture<String> result = quotes.quote("ACME");
        clock.advance(Duration.ofMillis(500));

        assertThat(hanging).as("the target's future, not only the result check's, is cancelled").isCancelled();
        assertThat(events.of(Kind.ATTEMPT_FAILED)).singleElement()
                .satisfies(e -> assertThat(e.failure()).isInstanceOf(AttemptTimeoutException.class));
        clock.advance(Duration.ofMillis(100));
        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
        assertThat(primary.attempts()).isEqualTo(2);
    }

    /**
     * A target that blocks on its caller's thread before it returns its future: the attempt's time counts
     * from its start, not from the return (300 ms spent in the call leave 200 ms for the future).
     */
    @Test
    void theTimeATargetSpendsBeforeReturningItsFutureCountsAgainstTheAttemptTimeout() throws Exception {
        CompletableFuture<String> hanging = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").then(() -> {
            clock.advance(Duration.ofMillis(300)); // a slow call on the caller's thread: connecting, say
            return hanging;
        });
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(policy().attemptTimeout(Duration.ofMillis(500)).build())
                .settings(events.settings(clock)).build();

        CompletableFuture<String> result = quotes.quote("ACME");
        clock.advance(Duration.ofMillis(199));
        assertThat(hanging).isNotDone();
        clock.advance(Duration.ofMillis(1));

        assertThat(hanging).as("500 ms after the attempt started").isCancelled();
        assertThat(events.of(Kind.ATTEMPT_FAILED)).singleElement().satisfies(e -> {
            assertThat(e.failure()).isInstanceOf(AttemptTimeoutException.class);
            assertThat(((AttemptTimeoutException) e.failure()).timeout()).isEqualTo(Duration.ofMillis(500));
        });
        clock.advance(Duration.ofMillis(100));
        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    /**
     * A target that blocks on its caller's thread past the limit before it returns its future is
     * interrupted, as a synchronous attempt is; its failure is the attempt's timeout, and the retry answers.
     */
    @Test
    void aTargetBlockedOnItsCallersThreadPastTheAttemptTimeoutIsInterruptedAndRetried() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Quotes target = new Quotes() {
            @Override
            public CompletableFuture<String> quote(String symbol) {
                if (calls.incrementAndGet() == 1) {
                    blocked.countDown();
                    try {
                        never.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                    return new CompletableFuture<>();
                }
                return CompletableFuture.completedFuture("second:" + symbol);
            }

            @Override
            public CompletionStage<String> stage(String symbol) {
                return quote(symbol);
            }
        };
        Quotes quotes = Rebound.wrap(Quotes.class, target).named("primary")
                .withRetry(policy().attemptTimeout(Duration.ofMillis(500)).build())
                .settings(events.settings(clock)).build();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> left = caller.submit(() -> {
                CompletableFuture<String> f = quotes.quote("ACME");
                return f != null && Thread.currentThread().isInterrupted();
            });
            assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
            clock.advance(Duration.ofMillis(500));
            assertThat(left.get(10, TimeUnit.SECONDS)).as("the caller's thread is left uninterrupted").isFalse();
            assertThat(clock.awaitPendingTasks(1, Duration.ofSeconds(10))).as("the retry's wait").isTrue();
            clock.advance(Duration.ofMillis(100));

            assertThat(events.of(Kind.ATTEMPT_FAILED)).singleElement().satisfies(e -> {
                assertThat(e.failure()).isInstanceOf(AttemptTimeoutException.class)
                        .hasCauseInstanceOf(InterruptedException.class);
                assertThat(((AttemptTimeoutException) e.failure()).timeout()).isEqualTo(Duration.ofMillis(500));
            });
            assertThat(calls.get()).isEqualTo(2);
        } finally {
            never.countDown();
            caller.shutdown();
            assertThat(caller.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** A future whose outcome comes just as it is cancelled: its cancel completes it first, and so loses. */
    static final class AnsweredAsCancelled extends CompletableFuture<String> {
        private final String answer;

        AnsweredAsCancelled(String answer) {
            this.answer = answer;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            complete(answer);
            return super.cancel(mayInterruptIfRunning);
        }
    }

    /**
     * The time comes during the target's call, which returns its future pending; the future has its
     * answer just as the timeout cancels it: the cancel lost, the answer stands (as for a future that answers
     * as the timer fires after the call), and no retry follows it.
     */
    @Test
    void aFutureThatAnswersAsTheTimeoutCancelsItAfterACallPastTheLimitKeepsItsAnswer() throws Exception {
        AnsweredAsCancelled late = new AnsweredAsCancelled("late:ACME");
        Scripted primary = new Scripted("primary").then(() -> {
            clock.advance(Duration.ofMillis(600)); // the call itself outlasts the attempt's 500 ms
            return late;
        });
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(policy().attemptTimeout(Duration.ofMillis(500)).build())
                .settings(events.settings(clock)).build();

        CompletableFuture<String> result = quotes.quote("ACME");

        assertThat(events.of(Kind.ATTEMPT_FAILED)).as("no timeout of an attempt that answered").isEmpty();
        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("late:ACME");
        assertThat(primary.attempts()).as("no retry after the answer").isEqualTo(1);
        assertThat(late).as("completed by the cancel's race, not cancelled").isNotCancelled();
        assertThat(Thread.interrupted()).as("the timer's interrupt taken back").isFalse();
    }

    /**
     * The common case of the same race: the call returned its future pending in time, and the timer, firing
     * after the call, cancels it just as it answers: the cancel lost, the answer stands, no request is sent
     * again (as when the time came during the call, one way for both).
     */
    @Test
    void aFutureThatAnswersAsTheTimerCancelsItAfterTheCallReturnedKeepsItsAnswer() throws Exception {
        AnsweredAsCancelled late = new AnsweredAsCancelled("late:ACME");
        Scripted primary = new Scripted("primary").then(() -> late);
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(policy().attemptTimeout(Duration.ofMillis(500)).build())
                .settings(events.settings(clock)).build();

        CompletableFuture<String> result = quotes.quote("ACME");
        assertThat(result).as("the call returned its future pending, in time").isNotDone();

        clock.advance(Duration.ofMillis(600)); // the timer fires: the future answers as it is cancelled
        clock.runScheduled(); // a retry, had one been scheduled

        assertThat(late).as("completed by the cancel's race, not cancelled").isNotCancelled();
        assertThat(primary.attempts()).as("no retry after the answer").isEqualTo(1);
        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("late:ACME");
        assertThat(events.of(Kind.ATTEMPT_FAILED)).as("no timeout of an attempt that answered").isEmpty();
    }

    /**
     * The target's call itself outlasts the attempt's limit, deaf to the interrupt, and returns its future
     * already answered: the answer stands, as a synchronous attempt's that answers past its timer does
     * (a stream past its first-token limit is given up on instead: its tokens reached nobody).
     */
    @Test
    void aTargetThatAnswersOnItsCallersThreadPastTheLimitKeepsItsAnswerAsASynchronousAttemptDoes() throws Exception {
        Scripted primary = new Scripted("primary").then(() -> {
            clock.advance(Duration.ofMillis(600)); // past the attempt's 500 ms, the timer's interrupt unheard
            return CompletableFuture.completedFuture("late:ACME");
        });
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(policy().attemptTimeout(Duration.ofMillis(500)).build())
                .settings(events.settings(clock)).build();

        CompletableFuture<String> result = quotes.quote("ACME");

        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("late:ACME");
        assertThat(events.of(Kind.ATTEMPT_FAILED)).as("no timeout of an attempt that answered").isEmpty();
        assertThat(primary.attempts()).as("no retry after the answer").isEqualTo(1);
        assertThat(Thread.interrupted()).as("the timer's interrupt taken back").isFalse();
    }

    /** A handler that records each callback. */
    private static StreamingChatResponseHandler recording(List<String> seen) {
        return new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String token) {
                seen.add(token);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                seen.add("complete");
            }

            @Override
            public void onError(Throwable error) {
                seen.add("error");
            }
        };
    }

    private static void answer(StreamingChatResponseHandler handler, String text) {
        handler.onPartialResponse(text);
        handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from(text)).build());
    }

    /**
     * A model that streams on its caller's thread and stalls there before its first token: at the limit
     * its attempt is given up on and the thread interrupted, the attempt fails with the timeout, and the
     * retry's tokens alone reach the caller's handler.
     */
    @Test
    void anAttemptStalledOnItsCallersThreadBeforeItsFirstTokenIsTimedOutAndRetried() throws Exception {
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Streamer target = (prompt, handler) -> {
            if (calls.incrementAndGet() == 1) { // the first attempt stalls before its first token, on this thread
                stalled.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                handler.onError(new IOException("gave up"));
                return;
            }
            answer(handler, "ok");
        };
        List<String> seen = new CopyOnWriteArrayList<>();
        Streamer streamer = Rebound.wrap(Streamer.class, target).named("local")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false)
                        .attemptTimeout(Duration.ofMillis(500))
                        .retryOn(AttemptTimeoutException.class, IOException.class).build())
                .settings(events.settings(clock)).build();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> leftInterrupted = caller.submit(() -> {
                streamer.chat("hello", recording(seen));
                return Thread.currentThread().isInterrupted();
            });
            assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();

            clock.advance(Duration.ofMillis(500)); // the first token is 500 ms late
            assertThat(leftInterrupted.get(10, TimeUnit.SECONDS)).as("the interrupt is taken back").isFalse();
            assertThat(clock.awaitPendingTasks(1, Duration.ofSeconds(10))).as("the retry's wait").isTrue();
            clock.advance(Duration.ofMillis(100));

            assertThat(events.of(Kind.ATTEMPT_FAILED)).as("the stalled attempt timed out").singleElement()
                    .satisfies(e -> assertThat(e.failure()).isInstanceOf(AttemptTimeoutException.class));
            assertThat(calls.get()).as("the next attempt started").isEqualTo(2);
            assertThat(seen).containsExactly("ok", "complete");
        } finally {
            release.countDown();
            caller.shutdown();
            assertThat(caller.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * A model on its caller's thread that ignores the interrupt and streams after the limit: its late
     * tokens reach nobody (the attempt was given up on at the limit), and its call's return starts the retry.
     */
    @Test
    void aStreamOnItsCallersThreadThatAnswersPastTheLimitIsGivenUpOnAndItsTokensReachNobody() {
        AtomicInteger calls = new AtomicInteger();
        Streamer target = (prompt, handler) -> {
            if (calls.incrementAndGet() == 1) {
                clock.advance(Duration.ofMillis(600)); // stalled past the limit, deaf to the interrupt
                answer(handler, "late");
                return;
            }
            answer(handler, "ok");
        };
        List<String> seen = new CopyOnWriteArrayList<>();
        Streamer streamer = Rebound.wrap(Streamer.class, target).named("local")
                .withRetry(policy().attempts(2).attemptTimeout(Duration.ofMillis(500)).build())
                .settings(events.settings(clock)).build();

        streamer.chat("hello", recording(seen));
        assertThat(Thread.interrupted()).as("the interrupt is taken back").isFalse();
        assertThat(seen).isEmpty();
        clock.advance(Duration.ofMillis(100));

        assertThat(events.of(Kind.ATTEMPT_FAILED)).singleElement()
                .satisfies(e -> assertThat(e.failure()).isInstanceOf(AttemptTimeoutException.class));
        assertThat(calls.get()).isEqualTo(2);
        assertThat(seen).containsExactly("ok", "complete");
    }

    /** Once its first token has come in time, a stream on its caller's thread runs on: no timeout, no interrupt. */
    @Test
    void aStreamOnItsCallersThreadPastTheLimitAfterItsFirstTokenIsNeitherInterruptedNorTimedOut() {
        AtomicBoolean interrupted = new AtomicBoolean();
        Streamer target = (prompt, handler) -> {
            handler.onPartialResponse("first");
            clock.advance(Duration.ofMillis(600)); // a long answer
            interrupted.set(Thread.currentThread().isInterrupted());
            answer(handler, " rest");
        };
        List<String> seen = new CopyOnWriteArrayList<>();
        Streamer streamer = Rebound.wrap(Streamer.class, target).named("local")
                .withRetry(policy().attempts(2).attemptTimeout(Duration.ofMillis(500)).build())
                .settings(events.settings(clock)).build();

        streamer.chat("hello", recording(seen));

        assertThat(interrupted).isFalse();
        assertThat(seen).containsExactly("first", " rest", "complete");
        assertThat(events.of(Kind.ATTEMPT_FAILED)).isEmpty();
        assertThat(clock.pendingTasks()).isZero();
    }

    @Test
    void anAttemptThatAnswersInTimeCancelsItsTimerAndKeepsItsAnswer() throws Exception {
        CompletableFuture<String> later = new CompletableFuture<>();
        Scripted primary = new Scripted("primary").then(() -> later);
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(policy().attemptTimeout(Duration.ofMillis(500)).build())
                .settings(events.settings(clock)).build();

        CompletableFuture<String> result = quotes.quote("ACME");
        assertThat(clock.pendingTasks()).isEqualTo(1);
        clock.advance(Duration.ofMillis(300));
        later.complete("in time");

        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("in time");
        assertThat(clock.pendingTasks()).isZero();
        assertThat(primary.attempts()).isEqualTo(1);
        assertThat(events.all()).isEmpty();
    }

    @Test
    void aRetryResultPredicateRejectsTheFuturesValueAndTheRetryAsksAgain() throws Exception {
        Scripted primary = new Scripted("primary").then(() -> CompletableFuture.completedFuture(""));
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(policy().retryOnResult((String s) -> s.isBlank()).build())
                .settings(events.settings(clock)).build();

        CompletableFuture<String> result = quotes.quote("ACME");
        clock.runScheduled();

        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("primary:ACME");
        assertThat(primary.attempts()).isEqualTo(2);
        assertThat(events.of(Kind.RESULT_REJECTED)).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("result-rejected");
            assertThat(((RejectedResultException) e.failure()).result()).isEqualTo("");
        });
        assertThat(events.of(Kind.ATTEMPT_FAILED)).isEmpty();
    }

    @Test
    void aFallbackResultPredicateSendsTheCallToTheAlternativeAtOnce() throws Exception {
        Scripted primary = new Scripted("primary").then(() -> CompletableFuture.completedFuture("REFUSED"));
        Scripted backup = new Scripted("backup");
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary").withRetry(policy().build())
                .withFallbacks(backup).fallbackOnResult((String s) -> s.equals("REFUSED"))
                .settings(events.settings(clock)).build();

        CompletableFuture<String> result = quotes.quote("ACME");

        assertThat(result.get(0, TimeUnit.SECONDS)).isEqualTo("backup:ACME");
        assertThat(primary.attempts()).as("not retried").isEqualTo(1);
        assertThat(clock.scheduled()).isEmpty();
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("result-rejected"));
    }

    @Test
    void aFallbackHandlerOnACompletionStageMethodIsRefusedNotSkipped() {
        assertThatThrownBy(() -> Rebound.wrap(Quotes.class, new Scripted("primary"))
                .withFallbackHandler(call -> "never").build())
                .isInstanceOf(ReboundConfigurationException.class)
                .satisfies(e -> assertThat(((ReboundConfigurationException) e).problems()).anySatisfy(p ->
                        assertThat(p).contains("Quotes.quote(String)").contains("withFallbackHandler cannot act on a "
                                + "method returning a CompletionStage or streaming to a handler")));
    }

    @Test
    void aRateLimitOnACompletionStageMethodIsRefusedNotSkipped() {
        assertThatThrownBy(() -> Rebound.wrap(Quotes.class, new Scripted("primary"))
                .withRateLimit(RateLimitPolicy.builder().requestsPerMinute(60).build()).build())
                .isInstanceOf(ReboundConfigurationException.class)
                .satisfies(e -> assertThat(((ReboundConfigurationException) e).problems()).anySatisfy(p ->
                        assertThat(p).contains("Quotes.quote(String)").contains("withRateLimit cannot act on a "
                                + "method returning a CompletionStage or streaming to a handler yet")));
    }

    @Test
    void aResultPredicateOnAStreamingMethodIsRefusedNotSkipped() {
        Streamer target = (prompt, handler) -> { };
        assertThatThrownBy(() -> Rebound.wrap(Streamer.class, target)
                .withRetry(policy().retryOnResult(r -> true).build()).build())
                .isInstanceOf(ReboundConfigurationException.class)
                .satisfies(e -> assertThat(((ReboundConfigurationException) e).problems()).singleElement()
                        .satisfies(p -> assertThat(p).contains("Streamer.chat(String, StreamingChatResponseHandler)")
                                .contains("RetryPolicy.Builder.retryOnResult cannot act on a streaming method")));
    }

    /** A client of the user's own that streams to the handler and also hands back the answer. */
    interface StreamingAnswers {
        CompletableFuture<ChatResponse> answer(String prompt, StreamingChatResponseHandler handler);

        ChatResponse answerNow(String prompt, StreamingChatResponseHandler handler);
    }

    /**
     * A method taking the streaming handler that returns a future or a value is no streamed call: a retry
     * or a fallback would run it again after the handler had the failed attempt's tokens. Refused when the
     * wrapper is built, naming the method and what to do, never run to repeat tokens.
     */
    @Test
    void aRetryOrFallbackOnAMethodTakingAStreamingHandlerAndReturningAResultIsRefusedAtBuild() {
        class Answers implements StreamingAnswers {
            @Override
            public CompletableFuture<ChatResponse> answer(String prompt, StreamingChatResponseHandler handler) {
                return new CompletableFuture<>();
            }

            @Override
            public ChatResponse answerNow(String prompt, StreamingChatResponseHandler handler) {
                return null;
            }
        }
        StreamingAnswers target = new Answers();
        String words = " cannot act on a method that takes a StreamingChatResponseHandler and returns %s: it would"
                + " run the method again after the handler had the failed attempt's tokens (return void, so that"
                + " Rebound streams it and the handler gets one attempt's tokens, or take no handler)";
        assertThatThrownBy(() -> Rebound.wrap(StreamingAnswers.class, target)
                .withRetry(policy().attempts(2).build()).withFallbacks(new Answers()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactlyInAnyOrder(
                                "StreamingAnswers.answer(String, StreamingChatResponseHandler): withRetry"
                                        + String.format(words, "CompletableFuture"),
                                "StreamingAnswers.answer(String, StreamingChatResponseHandler): withFallbacks"
                                        + String.format(words, "CompletableFuture"),
                                "StreamingAnswers.answerNow(String, StreamingChatResponseHandler): withRetry"
                                        + String.format(words, "ChatResponse"),
                                "StreamingAnswers.answerNow(String, StreamingChatResponseHandler): withFallbacks"
                                        + String.format(words, "ChatResponse")));
        assertThat(Rebound.wrap(StreamingAnswers.class, target).withRetry(policy().attempts(1).build()).build())
                .as("one attempt and no alternative run it once: nothing to refuse").isNotNull();
    }

    /** The user's own handler type: each attempt's handler, Rebound's, could never be one. */
    interface TokenSink extends StreamingChatResponseHandler {
    }

    interface SinkStreamer {
        void stream(String prompt, TokenSink sink);
    }

    /** An annotated one, read by the annotation reader (the aspect's and Guice's door). */
    interface AnnotatedSinkStreamer {
        @Retry(attempts = 2, delay = 1, jitter = false)
        void stream(String prompt, TokenSink sink);
    }

    @Test
    void aStreamingMethodWhoseHandlerParameterIsASubtypeOfTheHandlerIsRefusedAtBuild() {
        String refused = ": the streaming handler parameter's type TokenSink is a subtype of"
                + " StreamingChatResponseHandler; a streamed call's policies hand the target a"
                + " StreamingChatResponseHandler of their own for each attempt, which is not a TokenSink: declare"
                + " the parameter as StreamingChatResponseHandler";
        SinkStreamer target = (prompt, sink) -> { };
        assertThatThrownBy(() -> Rebound.wrap(SinkStreamer.class, target).withRetry(policy().build()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("SinkStreamer.stream(String, TokenSink)" + refused));
        AnnotatedSinkStreamer annotated = (prompt, sink) -> { };
        assertThatThrownBy(() -> Rebound.wrap(AnnotatedSinkStreamer.class, annotated).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("AnnotatedSinkStreamer.stream(String, TokenSink)" + refused));
    }

    /** A generic contract whose handler parameter is a type variable: the implementation narrows it. */
    interface GenericStreamer<H extends StreamingChatResponseHandler> {
        void stream(String prompt, H handler);
    }

    /** Narrows it to TokenSink: its method takes a TokenSink, behind a bridge that casts. */
    static final class SinkGenericStreamer implements GenericStreamer<TokenSink> {
        @Override
        public void stream(String prompt, TokenSink sink) {
        }
    }

    /** A public implementation that inherits the narrowing method from a package-private base (a visibility bridge). */
    abstract static class HiddenSinkBase implements GenericStreamer<TokenSink> {
        @Override
        public void stream(String prompt, TokenSink sink) {
        }
    }

    public static final class InheritingSinkStreamer extends HiddenSinkBase {
    }

    @Test
    void aGenericContractWhoseImplementationNarrowsTheHandlerParameterIsRefusedAtBuildNamingTheNarrowingMethod() {
        String refused = "SinkGenericStreamer.stream(String, TokenSink): the streaming handler parameter's type"
                + " TokenSink is a subtype of StreamingChatResponseHandler; a streamed call's policies hand the target a"
                + " StreamingChatResponseHandler of their own for each attempt, which is not a TokenSink: declare"
                + " the parameter as StreamingChatResponseHandler";
        assertThatThrownBy(() -> Rebound.wrap(GenericStreamer.class, new SinkGenericStreamer())
                .withRetry(policy().build()).build())
                .as("named by the method that narrows it as its class declares it, never GenericStreamer's name")
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly(refused));
        assertThatThrownBy(() -> Rebound.wrap(GenericStreamer.class, new InheritingSinkStreamer())
                .withRetry(policy().build()).build())
                .as("inherited: named by the class that declares it")
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly(refused.replace("SinkGenericStreamer.stream", "HiddenSinkBase.stream")));
        GenericStreamer<StreamingChatResponseHandler> plain = (prompt, handler) -> { };
        assertThatThrownBy(() -> Rebound.wrap(GenericStreamer.class, plain).withRetry(policy().build())
                .withFallbacks(new SinkGenericStreamer()).build())
                .as("an alternative that narrows it could never be handed a handler either: named by its own method")
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly(refused));
        assertThatThrownBy(() -> Rebound.wrap(GenericStreamer.class, new InheritingSinkStreamer())
                .withRetry(policy().build()).withFallbacks(new SinkGenericStreamer()).build())
                .as("a primary and an alternative that both narrow it: two problems, each named by its own method")
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactlyInAnyOrder(refused.replace("SinkGenericStreamer.stream",
                                "HiddenSinkBase.stream"), refused));
        assertThatThrownBy(() -> Rebound.wrap(GenericStreamer.class, new SinkGenericStreamer())
                .withRetry(policy().build()).withFallbacks(new SinkGenericStreamer()).build())
                .as("a primary and an alternative of one class: the same method, said once")
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly(refused));
        SinkStreamer narrowsItself = (prompt, sink) -> { };
        assertThatThrownBy(() -> Rebound.wrap(SinkStreamer.class, narrowsItself).withRetry(policy().build())
                .withFallbacks((SinkStreamer) (prompt, sink) -> { }).build())
                .as("a contract that narrows it, with a fallback: said once")
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .hasSize(1));
    }

    @Test
    void aResultPredicateThatNeverJudgesTheFuturesValueIsRefusedAtBuild() {
        AsyncChat target = new AsyncChat() {
            @Override
            public CompletableFuture<String> chat(String prompt) {
                return CompletableFuture.completedFuture(prompt);
            }

            @Override
            public CompletionStage<ChatResponse> respond(String prompt) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<?> anything(String prompt) {
                return CompletableFuture.completedFuture(prompt);
            }

            @Override
            public <T> CompletableFuture<T> typed(String prompt) {
                return CompletableFuture.completedFuture(null);
            }
        };
        String future = CompletableFuture.class.getName();

        assertThatThrownBy(() -> Rebound.wrap(AsyncChat.class, target).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .as("a future of a ChatResponse is judged; a future of ? or of T is not checked")
                        .containsExactly("AsyncChat.chat(String): @Retry.onResult"
                                + String.format(TRUNCATED_OVER_A_FUTURE_OF_TEXT, future, future)));
    }

    @Test
    void aBuilderResultPredicateThatJudgesNoFuturesValueIsRefusedInTheSameWords() {
        String future = CompletableFuture.class.getName();
        String stage = CompletionStage.class.getName();

        assertThatThrownBy(() -> Rebound.wrap(Quotes.class, new Scripted("primary"))
                .withRetry(policy().retryOnResult(ChatResults.truncated()).build()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly(
                                "Quotes.quote(String): RetryPolicy.Builder.retryOnResult"
                                        + String.format(TRUNCATED_OVER_A_FUTURE_OF_TEXT, future, future),
                                "Quotes.stage(String): RetryPolicy.Builder.retryOnResult"
                                        + String.format(TRUNCATED_OVER_A_FUTURE_OF_TEXT, stage, stage)));
    }

    /**
     * A generic interface's {@code CompletableFuture<R>} and {@code R}, which the implementation fixes to
     * String: judged as the String they are on the class that runs, through the annotation as through the
     * builder, in the words a plain interface gets (before, the type variable skipped the check).
     */
    @Test
    void aResultPredicateOverAGenericInterfaceIsJudgedByWhatTheImplementationFixes() {
        String future = CompletableFuture.class.getName();

        assertThatThrownBy(() -> Rebound.wrap(GenericChat.class, new TextChat()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactlyInAnyOrder("GenericChat.chatLater(String): @Retry.onResult"
                                + String.format(TRUNCATED_OVER_A_FUTURE_OF_TEXT, future, future),
                                "GenericChat.chatNow(String): @Retry.onResult dev.rebound.runtime.langchain4j."
                                        + "ChatResults$Truncated judges a dev.langchain4j.model.chat.response."
                                        + "ChatResponse or a dev.langchain4j.service.Result, which a method returning"
                                        + " java.lang.String never returns: it would never reject a result (declare"
                                        + " the method to return dev.langchain4j.model.chat.response.ChatResponse, as"
                                        + " ChatModel.chat(ChatRequest) does, or dev.langchain4j.service.Result, as an"
                                        + " AiServices method can, since a String has no finish reason,"
                                        + " or name a predicate of java.lang.String)"));
        PlainGenericChat<String> text = prompt -> CompletableFuture.completedFuture(prompt);
        PlainGenericChat<String> textClass = new PlainGenericChat<String>() {
            @Override
            public CompletableFuture<String> chatLater(String prompt) {
                return CompletableFuture.completedFuture(prompt);
            }
        };
        assertThatThrownBy(() -> Rebound.wrap(PlainGenericChat.class, textClass)
                .withRetry(policy().retryOnResult(ChatResults.truncated()).build()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("PlainGenericChat.chatLater(String): RetryPolicy.Builder.retryOnResult"
                                + String.format(TRUNCATED_OVER_A_FUTURE_OF_TEXT, future, future)));
        assertThat(Rebound.wrap(PlainGenericChat.class, text)
                .withRetry(policy().retryOnResult(ChatResults.truncated()).build()).build())
                .as("a lambda fixes nothing its class shows: not checked").isNotNull();
    }
}
