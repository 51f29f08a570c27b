package dev.rebound.runtime;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.model.chat.ChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.modelserver.ServedRequest;
import dev.rebound.runtime.observation.ObservationTracer;
import dev.rebound.runtime.observation.OtelTracing;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.observation.Observation;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BatchTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();

    @Test
    void eachInputIsItsOwnCallWithItsOwnAttemptsAndResultsComeInInputOrder() {
        List<String> questions = List.of("question A", "question B", "question C", "question D", "question E");
        server.scriptForPrompt("gpt-4", "question B", Fault.unavailable(), Fault.unavailable());
        server.scriptForPrompt("gpt-4", "question D", Fault.serverError(), Fault.serverError(), Fault.serverError());
        VirtualTimeSource clock = new VirtualTimeSource();
        ChatModel gpt4 = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();

        List<Batch.Result<String>> results = Batch.map(questions, 2, gpt4::chat);

        assertThat(results).extracting(Batch.Result::index).containsExactly(0, 1, 2, 3, 4);
        assertThat(results).extracting(Batch.Result::isSuccess).containsExactly(true, true, true, false, true);
        for (int i : new int[] {0, 1, 2, 4}) {
            assertThat(results.get(i).value()).isEqualTo(ModelServer.answerFor("gpt-4", questions.get(i)));
        }
        assertThat(results.get(3).failure()).isInstanceOf(InternalServerException.class);
        Map<String, Long> requestsPerInput = server.log().stream()
                .collect(Collectors.groupingBy(ServedRequest::promptDigest, Collectors.counting()));
        assertThat(questions.stream().map(q -> requestsPerInput.get(ModelServer.digest(q))))
                .containsExactly(1L, 3L, 1L, 3L, 1L);
        assertThat(clock.sleeps()).containsExactlyInAnyOrder(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void concurrencyIsBoundedAndReached() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CyclicBarrier pair = new CyclicBarrier(2);

        List<Batch.Result<Integer>> results = Batch.map(List.of(1, 2, 3, 4, 5, 6), 2, i -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                pair.await(5, TimeUnit.SECONDS); // two at a time, or this times out
                return i * 10;
            } finally {
                running.decrementAndGet();
            }
        });

        assertThat(results).extracting(Batch.Result::value).containsExactly(10, 20, 30, 40, 50, 60);
        assertThat(most).hasValue(2);
    }

    @Test
    void aSlowOrFailingInputNeverHoldsUpTheOthers() {
        CountDownLatch othersDone = new CountDownLatch(3);
        IllegalStateException own = new IllegalStateException("input 0");

        List<Batch.Result<String>> results = Batch.map(List.of("slow", "b", "c", "d"), 2, s -> {
            if (s.equals("slow")) {
                if (!othersDone.await(5, TimeUnit.SECONDS)) {
                    return "others waited for me";
                }
                throw own;
            }
            othersDone.countDown();
            return s.toUpperCase();
        });

        assertThat(results.get(0).failure()).isSameAs(own);
        assertThat(results.subList(1, 4)).extracting(Batch.Result::value).containsExactly("B", "C", "D");
        assertThatThrownBy(() -> results.get(0).value()).isInstanceOf(NoSuchElementException.class).hasCause(own);
        assertThat(results.get(0).toString()).isEqualTo("Result[0 failed: java.lang.IllegalStateException]");
    }

    /**
     * An interrupt an input's call leaves set on its worker's thread is that call's own (nobody cancelled
     * or shut down anything): cleared before the next input, as a pool clears a task's, so the next input
     * is neither cancelled nor failed by it.
     */
    @Test
    void anInterruptOneInputsCallLeavesSetNeitherCancelsNorFailsTheNextInput() {
        List<Boolean> startedInterrupted = new CopyOnWriteArrayList<>();

        List<Batch.Result<String>> results = Batch.map(List.of("a", "b"), 1, s -> {
            startedInterrupted.add(Thread.currentThread().isInterrupted());
            if (s.equals("a")) {
                Thread.currentThread().interrupt();
            }
            return s;
        });

        assertThat(results).extracting(Batch.Result::toString).containsExactly("Result[0 ok]", "Result[1 ok]");
        assertThat(results).extracting(Batch.Result::value).containsExactly("a", "b");
        assertThat(startedInterrupted).containsExactly(false, false);
    }

    /**
     * The caller is interrupted while input 0's call is in flight; that call ends on the interrupt
     * without keeping the flag (a client that wraps InterruptedException). Its worker takes no more
     * input: once the caller has returned, no input is called.
     */
    @Test
    void noInputIsCalledOnceTheCallerWasInterrupted() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch firstInFlight = new CountDownLatch(1);
        List<Thread> workers = new CopyOnWriteArrayList<>();
        Executor ownThreads = task -> {
            Thread t = new Thread(task);
            workers.add(t);
            t.start();
        };
        AtomicReference<Throwable> callerGot = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                Batch.map(ownThreads, List.of(0, 1, 2), 1, i -> {
                    calls.incrementAndGet();
                    if (i == 0) {
                        firstInFlight.countDown();
                        try {
                            new CountDownLatch(1).await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException("request interrupted"); // the flag not kept
                        }
                    }
                    return "answer " + i;
                });
            } catch (Throwable t) {
                callerGot.set(t);
            }
        });
        caller.start();
        firstInFlight.await();
        caller.interrupt();
        caller.join();
        for (Thread w : workers) {
            w.join(); // whatever the worker went on to do, it has done
        }

        assertThat(callerGot.get()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(calls).as("inputs called").hasValue(1);
    }

    /**
     * An interrupted batch throws only once the calls it cancelled have ended: a call that takes a
     * moment to answer its interrupt (a blocking socket read) holds the caller until it ends.
     */
    @Test
    void anInterruptedBatchThrowsOnlyOnceTheCallsItCancelledHaveEnded() throws Exception {
        ParallelTest.SlowToAnswerItsInterrupt read = new ParallelTest.SlowToAnswerItsInterrupt();
        CountDownLatch callerReturned = new CountDownLatch(1);
        AtomicReference<Throwable> callerGot = new AtomicReference<>();
        AtomicLong stillRunning = new AtomicLong(-1);
        Thread caller = new Thread(() -> {
            try {
                Batch.map(List.of("slow"), 1, s -> read.call());
            } catch (Throwable t) {
                callerGot.set(t);
            }
            stillRunning.set(read.ended.getCount());
            callerReturned.countDown();
        });
        caller.start();
        read.inFlight.await();
        Thread releaser = read.unwindOnceWaitingOrReturned(caller, callerReturned);
        caller.interrupt();
        caller.join();
        releaser.join();

        assertThat(callerGot.get()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(stillRunning).as("calls still running when the batch threw").hasValue(0);
    }

    /** An asynchronous client's calls, answered by the test: each returned future queued with its input. */
    static final class Pending implements AsyncCallsTest.Quotes {
        record Call(String symbol, CompletableFuture<String> answer) {
        }

        final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
        final AtomicInteger made = new AtomicInteger();
        /** Counted before the test completes a call's future. */
        final AtomicInteger answered = new AtomicInteger();
        /** The most calls made and not answered yet, as each call was made. */
        final AtomicInteger maxInFlight = new AtomicInteger();

        @Override
        public CompletableFuture<String> quote(String symbol) {
            maxInFlight.accumulateAndGet(made.incrementAndGet() - answered.get(), Math::max);
            CompletableFuture<String> f = new CompletableFuture<>();
            calls.add(new Call(symbol, f));
            return f;
        }

        @Override
        public CompletionStage<String> stage(String symbol) {
            return quote(symbol);
        }
    }

    private static AsyncCallsTest.Quotes asyncQuotes(AsyncCallsTest.Quotes target, int attempts, VirtualTimeSource clock) {
        return Rebound.wrap(AsyncCallsTest.Quotes.class, target).named("quotes")
                .withRetry(RetryPolicy.builder().attempts(attempts).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();
    }

    /**
     * An input whose call returns a future (an asynchronous client's {@code llm::chat}) holds its place
     * among the maxConcurrency until its future completes, and its outcome is the future's.
     */
    @Test
    void anAsyncInputHoldsItsPlaceUntilItsFutureCompletesAndItsOutcomeIsTheFutures() throws Exception {
        Pending target = new Pending();
        AsyncCallsTest.Quotes quotes = asyncQuotes(target, 1, new VirtualTimeSource());
        IOException down = new IOException("down");
        CompletableFuture<List<Batch.Result<CompletableFuture<String>>>> batch = CompletableFuture.supplyAsync(
                () -> Batch.map(List.of("A", "B", "C", "D"), 2, quotes::quote), runnable -> new Thread(runnable).start());

        // answer each call once the next one is in flight too: two at a time, never a third before one ends
        ArrayDeque<Pending.Call> outstanding = new ArrayDeque<>();
        for (int made = 0; made < 4; made++) {
            Pending.Call call = target.calls.poll(10, TimeUnit.SECONDS);
            assertThat(call).as("call %s", made).isNotNull();
            outstanding.add(call);
            if (outstanding.size() == 2 || made == 3) {
                answer(target, outstanding.poll(), down);
            }
        }
        answer(target, outstanding.poll(), down);
        List<Batch.Result<CompletableFuture<String>>> results = batch.get(10, TimeUnit.SECONDS);

        assertThat(target.maxInFlight).as("calls in flight at once, maxConcurrency = 2").hasValue(2);
        assertThat(results).extracting(Batch.Result::isSuccess).containsExactly(true, false, true, true);
        assertThat(results.get(1).failure()).isSameAs(down);
        assertThat(results.get(3).value().join()).isEqualTo("D!");
    }

    /** A stage of a library that does not interoperate: its toCompletableFuture() throws what it is given. */
    static final class Refusing<T> extends CompletableFuture<T> {
        private final RuntimeException refusal;

        Refusing(T value, RuntimeException refusal) {
            this.refusal = refusal;
            complete(value);
        }

        @Override
        public CompletableFuture<T> toCompletableFuture() {
            throw refusal;
        }
    }

    /**
     * A stage whose own methods throw (here toCompletableFuture(), with anything but the optional method's
     * UnsupportedOperationException) is its input's failure, that exception, and the worker goes on to the
     * next input: never an input "cancelled before it started".
     */
    @Test
    void aStageWhoseToCompletableFutureThrowsIsItsInputsFailureAndTheNextInputRuns() {
        IllegalStateException refusal = new IllegalStateException("not interoperable");
        AtomicInteger called = new AtomicInteger();

        List<Batch.Result<CompletionStage<String>>> results = Batch.map(Runnable::run, List.of("a", "b"), 1, in -> {
            called.incrementAndGet();
            return in.equals("a") ? new Refusing<>("A", refusal) : CompletableFuture.completedFuture("B");
        });

        assertThat(results.get(0).isCancelled()).isFalse();
        assertThat(results.get(0).failure()).isSameAs(refusal);
        assertThat(called).hasValue(2);
        assertThat(results.get(1).isSuccess()).isTrue();
    }

    /**
     * A stage that cannot give its future for lack of stack: the VirtualMachineError is that input's, and
     * is thrown once the other inputs ran (maxConcurrency 1: the same worker takes them), never lost with
     * the inputs after it reported cancelled though nothing cancelled them.
     */
    @Test
    void aVirtualMachineErrorFromAnInputsStageIsThrownAfterTheOthersFinishedNotReportedAsNeverStarted() {
        StackOverflowError noStack = new StackOverflowError();
        List<String> called = new CopyOnWriteArrayList<>();

        Throwable thrown = catchThrowable(() -> Batch.map(List.of("a", "b", "c", "d"), 1, in -> {
            called.add(in);
            return in.equals("b") ? new CompletableFuture<String>() {
                @Override
                public CompletableFuture<String> toCompletableFuture() {
                    throw noStack;
                }
            } : in;
        }));

        assertThat(thrown).isSameAs(noStack);
        assertThat(called).containsExactly("a", "b", "c", "d");
    }

    /** The same for an OutOfMemoryError the wait on an input's future throws. */
    @Test
    void anOutOfMemoryErrorWaitingOnAnInputsFutureIsThrownAfterTheOthersFinished() {
        OutOfMemoryError noMemory = new OutOfMemoryError("waiting");
        List<String> called = new CopyOnWriteArrayList<>();

        Throwable thrown = catchThrowable(() -> Batch.map(List.of("a", "b", "c"), 1, in -> {
            called.add(in);
            return in.equals("a") ? new CompletableFuture<String>() {
                @Override
                public String get() {
                    throw noMemory;
                }
            } : in;
        }));

        assertThat(thrown).isSameAs(noMemory);
        assertThat(called).containsExactly("a", "b", "c");
    }

    /**
     * An input the list cannot give (a lazily mapped view whose function throws) is that input's failure;
     * the worker goes on to the next input, none reported cancelled.
     */
    @Test
    void anInputTheListCannotGiveIsThatInputsFailureAndTheNextInputsRun() {
        IllegalStateException unmapped = new IllegalStateException("input 1");
        List<String> lazy = new java.util.AbstractList<>() {
            @Override
            public String get(int index) {
                if (index == 1) {
                    throw unmapped;
                }
                return "q" + index;
            }

            @Override
            public int size() {
                return 3;
            }
        };

        List<Batch.Result<String>> results = Batch.map(lazy, 1, String::toUpperCase);

        assertThat(results).extracting(Batch.Result::toString).containsExactly("Result[0 ok]",
                "Result[1 failed: java.lang.IllegalStateException]", "Result[2 ok]");
        assertThat(results.get(1).failure()).isSameAs(unmapped);
        assertThat(results.get(2).value()).isEqualTo("Q2");
    }

    /**
     * A throwable that stops a worker between inputs (here the executor's own isShutdown(), which the
     * worker reads when an input left an interrupt set) is thrown to the caller once the other workers
     * ended: the inputs the worker left are not reported cancelled, as nothing cancelled them.
     */
    @Test
    void aFailureThatStopsAWorkerBetweenInputsIsThrownNotReportedAsCancelledInputs() {
        IllegalStateException broken = new IllegalStateException("isShutdown broke");
        Thread caller = Thread.currentThread();
        ExecutorService threads = Executors.newCachedThreadPool();
        ExecutorService brokenOnItsThreads = new AbstractExecutorService() {
            @Override
            public boolean isShutdown() {
                if (Thread.currentThread() != caller) {
                    throw broken;
                }
                return threads.isShutdown();
            }

            @Override
            public boolean isTerminated() {
                return threads.isTerminated();
            }

            @Override
            public void execute(Runnable task) {
                threads.execute(task);
            }

            @Override
            public void shutdown() {
                threads.shutdown();
            }

            @Override
            public List<Runnable> shutdownNow() {
                return threads.shutdownNow();
            }

            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
                return threads.awaitTermination(timeout, unit);
            }
        };
        List<String> called = new CopyOnWriteArrayList<>();
        try {
            Throwable thrown = catchThrowable(() -> Batch.map(brokenOnItsThreads, List.of("a", "b", "c"), 1, in -> {
                called.add(in);
                Thread.currentThread().interrupt(); // the input's own, left set
                return in;
            }));

            assertThat(thrown).isSameAs(broken);
            assertThat(called).containsExactly("a");
        } finally {
            threads.shutdownNow();
        }
    }

    /**
     * An executor that takes one worker and rejects the next (a saturated pool's AbortPolicy): the batch
     * runs with the one it has, every input answered, never two at a time.
     */
    @Test
    void anExecutorThatRejectsLaterWorkersRunsTheBatchWithFewerAndAnswersEveryInput() {
        List<Thread> accepted = new CopyOnWriteArrayList<>();
        Executor oneWorker = task -> {
            if (!accepted.isEmpty()) {
                throw new RejectedExecutionException("full");
            }
            Thread t = new Thread(task);
            accepted.add(t);
            t.start();
        };
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();

        List<Batch.Result<String>> results = Batch.map(oneWorker, List.of("a", "b", "c", "d"), 3, in -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            running.decrementAndGet();
            return in.toUpperCase();
        });

        assertThat(results).extracting(Batch.Result::value).containsExactly("A", "B", "C", "D");
        assertThat(most).hasValue(1);
        assertThat(accepted).hasSize(1);
    }

    /** Rejected at its first worker, the batch runs nothing and throws the executor's own rejection. */
    @Test
    void anExecutorThatRejectsTheFirstWorkerFailsTheBatchWithItsRejection() {
        RejectedExecutionException full = new RejectedExecutionException("full");
        AtomicInteger called = new AtomicInteger();

        Throwable thrown = catchThrowable(() -> Batch.map(task -> {
            throw full;
        }, List.of("a", "b"), 2, in -> called.incrementAndGet()));

        assertThat(thrown).isSameAs(full);
        assertThat(called).hasValue(0);
    }

    /** Input B's call fails with {@code down}; the others answer their input and "!". */
    private static void answer(Pending target, Pending.Call call, IOException down) {
        target.answered.incrementAndGet();
        if (call.symbol().equals("B")) {
            call.answer().completeExceptionally(down);
        } else {
            call.answer().complete(call.symbol() + "!");
        }
    }

    /**
     * An input whose asynchronous call failed for good is a failure, with the call's own exception, whether
     * the batch holds the future or the input waits on it with get().
     */
    @Test
    void anInputWhoseAsyncCallFailedForGoodIsAFailureWithTheCallsOwnException() {
        IOException down = new IOException("down");
        AsyncCallsTest.Quotes quotes = asyncQuotes(
                new AsyncCallsTest.Scripted("primary").failing(down).failing(down), 1, new VirtualTimeSource());

        Batch.Result<CompletableFuture<String>> returned = Batch.map(Runnable::run, List.of("A"), 1, quotes::quote)
                .get(0);
        Batch.Result<String> waitedOn = Batch.map(Runnable::run, List.of("A"), 1, q -> quotes.quote(q).get()).get(0);

        assertThat(returned.isSuccess()).isFalse();
        assertThat(returned.failure()).isSameAs(down);
        assertThat(waitedOn.failure()).isSameAs(down);
    }

    /**
     * An interrupted batch of asynchronous calls cancels the futures its inputs returned: a call waiting to
     * retry tries nothing more, and the batch throws with no timer of it left.
     */
    @Test
    void anInterruptedBatchCancelsItsInputsAsyncCallsAndNoRetryRunsAfterItThrew() throws Exception {
        VirtualTimeSource clock = new VirtualTimeSource();
        AsyncCallsTest.Scripted target = new AsyncCallsTest.Scripted("primary").failing(new IOException("x"));
        AsyncCallsTest.Quotes quotes = asyncQuotes(target, 3, clock);
        AtomicReference<Throwable> callerGot = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                Batch.map(List.of("A"), 1, quotes::quote);
            } catch (Throwable t) {
                callerGot.set(t);
            }
        });
        caller.start();
        assertThat(clock.awaitPendingTasks(1, Duration.ofSeconds(10))).isTrue(); // input A waits to retry
        caller.interrupt();
        caller.join(10_000);

        assertThat(callerGot.get()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(clock.pendingTasks()).as("timers left").isZero();
        clock.advance(Duration.ofHours(1));
        assertThat(target.attempts()).as("attempts of input A").isEqualTo(1);
    }

    /**
     * An interrupted batch cancels only the futures of its inputs' own Rebound calls: a future an input
     * returned that other callers share (a cache's, a request in flight for several users) is left alone,
     * and the batch throws without waiting for it.
     */
    @Test
    void anInterruptedBatchLeavesAFutureItsInputSharesWithOtherCallersAlone() throws Exception {
        CompletableFuture<String> shared = new CompletableFuture<>();
        CompletableFuture<String> otherCaller = shared.thenApply(v -> "other got " + v);
        CountDownLatch inputReturned = new CountDownLatch(1);
        AtomicReference<Throwable> callerGot = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                Batch.map(List.of("q"), 1, q -> {
                    inputReturned.countDown();
                    return shared;
                });
            } catch (Throwable t) {
                callerGot.set(t);
            }
        });
        caller.start();
        inputReturned.await();
        caller.interrupt();
        caller.join(10_000);
        shared.complete("answer");

        assertThat("batch threw=" + callerGot.get() + " shared cancelled=" + shared.isCancelled() + " other caller="
                + otherCaller.handle((v, t) -> v != null ? v : t.getClass().getSimpleName()).join())
                .isEqualTo("batch threw=java.util.concurrent.CompletionException: interrupted while waiting for the "
                        + "branches shared cancelled=false other caller=other got answer");
    }

    @Test
    void badArgumentsAreRefusedAndEmptyIsEmpty() {
        assertThat(Batch.map(List.<String>of(), 3, s -> s)).isEmpty();
        assertThatThrownBy(() -> Batch.map(List.of("a"), 0, s -> s))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConcurrency = 0 is below 1");
    }

    /**
     * A retrying method that runs its inputs through a retrying model: 3 x 3 requests per input, and the
     * nesting is warned about once, though each model call runs on a branch thread.
     */
    @Test
    void aRetryingModelInABatchOfARetryingMethodIsWarnedAboutAsNestedRetries() {
        server.always("gpt-4o", Fault.unavailable());
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        RetryPolicy threeAttempts = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).build();
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4o")).named("gpt-4o")
                .withRetry(threeAttempts).settings(settings).build();
        Summarizer summarizer = Rebound.wrap(Summarizer.class, (Summarizer) questions -> {
            for (Batch.Result<String> r : Batch.map(questions, 2, model::chat)) {
                r.value(); // the first failed input fails the summary
            }
            return "summary";
        }).named("summarizer").withRetry(threeAttempts).settings(settings).build();

        String log = StdErr.during(() -> assertThatThrownBy(() -> summarizer.summarize(List.of("a", "b")))
                .isInstanceOf(NoSuchElementException.class));

        assertThat(server.requests("gpt-4o")).as("3 x 2 inputs x 3 requests").isEqualTo(18);
        assertThat(log.lines().filter(l -> l.contains("Nested retries: Summarizer.summarize(List) (3 attempts) calls "
                + "ChatModel.chat(String) (3 attempts), so one call of Summarizer.summarize(List) can make up to 9 "
                + "attempts of ChatModel.chat(String)")).count()).isEqualTo(1);
    }

    /** A method that answers several questions at once. */
    public interface Summarizer {
        String summarize(List<String> questions);
    }

    /** "One trace per logical call": a call a Batch worker makes is part of the trace of the call that ran the batch. */
    /** A Batch worker sees the span current on the caller, one opened inside the caller's observation included. */
    @Test
    void aBatchWorkerSeesTheSpanCurrentOnTheCallerEvenOneOpenedInsideItsObservation() {
        try (dev.rebound.runtime.observation.OtelTracing tracing = new dev.rebound.runtime.observation.OtelTracing()) {
            var seen = tracing.underASpanInsideAnObservation(() -> Batch.map(List.of("x"), 1,
                    in -> dev.rebound.runtime.observation.OtelTracing.currentSpanId()));

            assertThat(seen.returned().get(0).value()).isEqualTo(seen.onCaller());
        }
    }

    @Test
    void aCallInABatchWorkerIsPartOfTheCallersTrace() {
        try (OtelTracing tracing = new OtelTracing()) {
            Summarizer one = Rebound.wrap(Summarizer.class, (Summarizer) questions -> "answer").named("gpt-4")
                    .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                    .settings(ReboundSettings.builder().logging(false).timeSource(new VirtualTimeSource())
                            .tracer(new ObservationTracer(tracing.registry())).build())
                    .build();
            Observation request = Observation.start("request", tracing.registry());
            try (Observation.Scope ignored = request.openScope()) {
                assertThat(Batch.map(List.of("q"), 1, q -> one.summarize(List.of(q))))
                        .extracting(Batch.Result::value).containsExactly("answer");
            }
            request.stop();

            assertThat(tracing.tree()).isEqualTo("""
                    request status=OK
                      Summarizer.summarize rebound.method=Summarizer.summarize(List) rebound.outcome=success status=OK
                        attempt gpt-4 rebound.attempt=1 rebound.outcome=success rebound.target=gpt-4 status=OK
                    """);
        }
    }
}
