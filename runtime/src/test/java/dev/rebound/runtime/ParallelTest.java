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
import dev.rebound.runtime.observation.ObservationTracer;
import dev.rebound.runtime.observation.OtelTracing;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.observation.Observation;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ParallelTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();

    private static ChatModel resilient(String model, int attempts, VirtualTimeSource clock) {
        return Rebound.wrap(ChatModel.class, openAi(server, model))
                .withRetry(RetryPolicy.builder().attempts(attempts).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();
    }

    @Test
    void branchesRunAtTheSameTimeAndResultsComeInBranchOrder() {
        CountDownLatch both = new CountDownLatch(2);
        Callable<String> a = () -> {
            both.countDown();
            return both.await(5, TimeUnit.SECONDS) ? "a" : "a alone";
        };
        Callable<String> b = () -> {
            both.countDown();
            return both.await(5, TimeUnit.SECONDS) ? "b" : "b alone";
        };

        assertThat(Parallel.invokeAll(a, b)).containsExactly("a", "b");
    }

    @Test
    void eachBranchKeepsItsOwnPolicyOverHttp() {
        VirtualTimeSource clock4 = new VirtualTimeSource();
        VirtualTimeSource clock35 = new VirtualTimeSource();
        ChatModel gpt4 = resilient("gpt-4", 3, clock4);
        ChatModel gpt35 = resilient("gpt-3.5-turbo", 3, clock35);
        server.script("gpt-4", Fault.unavailable());
        server.script("gpt-3.5-turbo", Fault.rateLimited(Duration.ofMillis(400)), Fault.rateLimited(Duration.ofMillis(600)));

        List<String> answers = Parallel.invokeAll(() -> gpt4.chat("q"), () -> gpt35.chat("q"));

        assertThat(answers).containsExactly(ModelServer.answerFor("gpt-4", "q"),
                ModelServer.answerFor("gpt-3.5-turbo", "q"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(3);
        assertThat(clock4.sleeps()).containsExactly(Duration.ofMillis(100));
        assertThat(clock35.sleeps()).containsExactly(Duration.ofMillis(400), Duration.ofMillis(600));
    }

    @Test
    void aBranchFailingForGoodFailsTheWholeAndCancelsTheInFlightCall() throws Exception {
        server.script("gpt-4", Fault.slowAnswer(Duration.ofSeconds(20))); // cancelled long before
        server.always("gpt-3.5-turbo", Fault.serverError());
        ChatModel slow = resilient("gpt-4", 3, new VirtualTimeSource());
        ChatModel failing = resilient("gpt-3.5-turbo", 2, new VirtualTimeSource());
        CountDownLatch slowEnded = new CountDownLatch(1);
        AtomicBoolean slowInterrupted = new AtomicBoolean();

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(
                () -> {
                    try {
                        return slow.chat("q");
                    } finally {
                        slowInterrupted.set(Thread.currentThread().isInterrupted());
                        slowEnded.countDown();
                    }
                },
                () -> {
                    awaitRequest("gpt-4"); // the slow call is in flight
                    return failing.chat("q");
                }));

        assertThat(thrown).isInstanceOf(InternalServerException.class);
        assertThat(server.requests("gpt-3.5-turbo")).as("the failing branch's own 2 attempts").isEqualTo(2);
        assertThat(slowEnded.await(2, TimeUnit.SECONDS)).as("the slow branch was cancelled").isTrue();
        assertThat(slowInterrupted).isTrue();
        assertThat(server.requests("gpt-4")).as("a cancelled branch is not retried").isEqualTo(1);
    }

    private static void awaitRequest(String model) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.requests(model) == 0 && System.nanoTime() < deadline) {
            Thread.yield();
        }
    }

    @Test
    void theCallerGetsTheFailingBranchsOwnExceptionAndTheOthersAreInterrupted() throws Exception {
        IllegalStateException failure = new IllegalStateException("branch a failed");
        CountDownLatch bRunning = new CountDownLatch(1);
        CountDownLatch bInterrupted = new CountDownLatch(1);

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(
                () -> {
                    bRunning.await();
                    throw failure;
                },
                () -> {
                    bRunning.countDown();
                    try {
                        new CountDownLatch(1).await();
                        return "never";
                    } catch (InterruptedException e) {
                        bInterrupted.countDown();
                        throw e;
                    }
                }));

        assertThat(thrown).isSameAs(failure);
        assertThat(bInterrupted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(thrown.getSuppressed()).as("what the cancelled branch threw on its interrupt").isEmpty();
    }

    /**
     * A cancelled branch that takes a moment to answer its interrupt (a blocking socket read) has ended
     * when invokeAll throws: nothing of the call goes on after it, as with a structured task scope.
     */
    @Test
    void parallelReturnsOnlyOnceTheBranchesItCancelledHaveEnded() throws Exception {
        SlowToAnswerItsInterrupt read = new SlowToAnswerItsInterrupt();
        CountDownLatch callerReturned = new CountDownLatch(1);
        Thread releaser = read.unwindOnceWaitingOrReturned(Thread.currentThread(), callerReturned);
        IllegalStateException failure = new IllegalStateException("b");

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(read::call, () -> {
            read.inFlight.await();
            throw failure;
        }));
        long stillRunning = read.ended.getCount();
        callerReturned.countDown();
        releaser.join();

        assertThat(thrown).isSameAs(failure);
        assertThat(stillRunning).as("branches still running when invokeAll threw").isZero();
    }

    /** A blocking read that answers its interrupt only once {@link #unwound}, as a socket read a moment later. */
    static final class SlowToAnswerItsInterrupt {
        final CountDownLatch inFlight = new CountDownLatch(1);
        final CountDownLatch interruptHeard = new CountDownLatch(1);
        final CountDownLatch unwound = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);

        String call() throws InterruptedException {
            try {
                inFlight.countDown();
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                interruptHeard.countDown();
                unwound.await();
                throw e;
            } finally {
                ended.countDown();
            }
        }

        /**
         * Lets the read end once its interrupt was heard and {@code caller} waits (for the branches to
         * end), or has returned without waiting.
         */
        Thread unwindOnceWaitingOrReturned(Thread caller, CountDownLatch callerReturned) {
            Thread releaser = new Thread(() -> {
                try {
                    interruptHeard.await();
                    while (callerReturned.getCount() > 0 && caller.getState() != Thread.State.WAITING) {
                        Thread.onSpinWait();
                    }
                    unwound.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            releaser.start();
            return releaser;
        }
    }

    /**
     * Runs the first {@code taskEnded.length} branches on threads of their own, counting down
     * {@code taskEnded[k]} once the k-th has ended (its outcome reported), and the others in place, on
     * the submitting thread.
     */
    static Executor threadsThenInPlace(CountDownLatch[] taskEnded) {
        AtomicInteger submitted = new AtomicInteger();
        return task -> {
            int k = submitted.getAndIncrement();
            if (k < taskEnded.length) {
                new Thread(() -> {
                    task.run();
                    taskEnded[k].countDown();
                }).start();
            } else {
                task.run();
            }
        };
    }

    /**
     * Waits for every latch, deaf to interrupts (a branch run in place that holds its caller until the
     * branches on threads have ended, although stopped when the first of them fails), the flag kept.
     */
    static void awaitIgnoringInterrupts(CountDownLatch... latches) {
        boolean interrupted = false;
        for (CountDownLatch latch : latches) {
            while (true) {
                try {
                    latch.await();
                    break;
                } catch (InterruptedException stop) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Three branches fail for good before the caller looks (each on its own thread; a fourth, in place,
     * holds the caller until they have ended): the caller gets the first to complete, and the others'
     * failures are attached to it as suppressed, the instance two branches threw once.
     */
    @Test
    void whenSeveralBranchesFailForGoodTheOthersFailuresAreAttachedToTheFirstOnce() {
        IllegalStateException first = new IllegalStateException("a");
        IllegalArgumentException shared = new IllegalArgumentException("b");
        CountDownLatch othersStarted = new CountDownLatch(3); // else one not started when the first fails never starts
        CountDownLatch[] taskEnded = {new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1)};
        Executor threeThreadsThenInPlace = threadsThenInPlace(taskEnded);

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(threeThreadsThenInPlace, List.<Callable<String>>of(
                () -> {
                    othersStarted.await();
                    throw first;
                },
                () -> {
                    othersStarted.countDown();
                    taskEnded[0].await();
                    throw shared;
                },
                () -> {
                    othersStarted.countDown();
                    taskEnded[1].await();
                    throw shared;
                },
                () -> {
                    othersStarted.countDown();
                    awaitIgnoringInterrupts(taskEnded); // stopped when the first fails: what it returns is no one's
                    return "d";
                })));

        assertThat(thrown).isSameAs(first);
        assertThat(thrown.getSuppressed()).containsExactly(shared);
    }

    /**
     * wrap.md's asynchronous branch (get(), cancel on interrupt) whose call fails for good: the caller gets
     * the call's own exception, its history attached, not the ExecutionException get() wrapped it in; and
     * a failure another branch threw from join() is attached as itself, not its CompletionException.
     */
    @Test
    void anAsyncBranchThatFailsForGoodGivesTheCallerTheCallsOwnExceptionAndTheOthersAsThemselves() {
        VirtualTimeSource clock = new VirtualTimeSource();
        IllegalStateException a = new IllegalStateException("a");
        IllegalStateException b = new IllegalStateException("b");
        IllegalArgumentException other = new IllegalArgumentException("other");
        AsyncCallsTest.Scripted target = new AsyncCallsTest.Scripted("primary").failing(a).failing(b);
        AsyncCallsTest.Quotes quotes = Rebound.wrap(AsyncCallsTest.Quotes.class, target).named("primary")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false)
                        .retryOn(IllegalStateException.class).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();
        CountDownLatch otherStarted = new CountDownLatch(2);
        CountDownLatch[] taskEnded = {new CountDownLatch(1), new CountDownLatch(1)};
        Executor twoThreadsThenInPlace = threadsThenInPlace(taskEnded);

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(twoThreadsThenInPlace, List.<Callable<String>>of(
                () -> {
                    otherStarted.await(); // else the other, not started when this one fails, never starts
                    CompletableFuture<String> answer = quotes.quote("ACME");
                    clock.runScheduled();
                    try {
                        return answer.get();
                    } catch (InterruptedException e) {
                        answer.cancel(true);
                        throw e;
                    }
                },
                () -> {
                    otherStarted.countDown();
                    taskEnded[0].await();
                    return CompletableFuture.<String>failedFuture(other).join();
                },
                () -> {
                    otherStarted.countDown();
                    awaitIgnoringInterrupts(taskEnded); // stopped when the first fails: holds the caller still
                    return "c";
                })));

        assertThat(target.attempts()).isEqualTo(2);
        assertThat(thrown).isSameAs(b);
        assertThat(b.getSuppressed()).containsExactly(a, other);
    }

    @Test
    void aCheckedFailureAnAsyncBranchWaitedOnArrivesWrappedOnceWithItselfAsCause() {
        IOException io = new IOException("401 for key sk-live-0123");
        AsyncCallsTest.Quotes quotes = Rebound.wrap(AsyncCallsTest.Quotes.class,
                new AsyncCallsTest.Scripted("primary").failing(io)).named("primary")
                .settings(ReboundSettings.builder().logging(false).build()).build();

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(List.<Callable<String>>of(
                () -> quotes.quote("ACME").get())));

        assertThat(thrown).isInstanceOf(CompletionException.class).hasCause(io)
                .hasMessage("a branch failed with java.io.IOException");
    }

    /**
     * On an executor that runs branches in place (as a saturated pool's CallerRunsPolicy does), a branch
     * that has not started when another fails for good never starts.
     */
    @Test
    void noBranchStartsAfterAnotherHasFailedForGoodOnAnInPlaceExecutor() {
        IllegalStateException failure = new IllegalStateException("a");
        AtomicInteger laterRan = new AtomicInteger();

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(Runnable::run, List.<Callable<String>>of(
                () -> {
                    throw failure;
                },
                () -> {
                    laterRan.incrementAndGet();
                    return "b";
                })));

        assertThat(thrown).isSameAs(failure);
        assertThat(laterRan).as("branches started after the whole had failed").hasValue(0);
        assertThat(thrown.getSuppressed()).isEmpty();
    }

    /**
     * A branch fails for good, then the executor rejects the next branch (full: its one thread taken).
     * The whole had failed with the branch already, and the next branch would never have started: the
     * caller gets the branch's own failure, as it is, the rejection attached as suppressed. The same
     * whether the executor ran the failed branch in place or on its own thread.
     */
    @Test
    void aBranchsFailureBeforeTheExecutorRejectedTheNextBranchIsNotLost() {
        for (boolean inPlace : new boolean[] {true, false}) {
            IllegalStateException failure = new IllegalStateException("branch 0 failed");
            RejectedExecutionException full = new RejectedExecutionException("full");
            AtomicInteger submitted = new AtomicInteger();
            Executor oneThenFull = task -> {
                if (submitted.getAndIncrement() > 0) {
                    throw full; // by then the one branch it took has failed
                }
                if (inPlace) {
                    task.run();
                    return;
                }
                Thread only = new Thread(task);
                only.start();
                try {
                    only.join();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            };

            Throwable thrown = catchThrowable(() -> Parallel.invokeAll(oneThenFull, List.<Callable<String>>of(() -> {
                throw failure;
            }, () -> "b")));

            assertThat(thrown).as("in place: " + inPlace).isSameAs(failure);
            assertThat(thrown.getSuppressed()).as("in place: " + inPlace).containsExactly(full);
            assertThat(submitted).hasValue(2);
        }
    }

    /**
     * Rejected before any branch failed, the call fails with the executor's own rejection, once the branch
     * it had accepted has been cancelled (interrupted) and has ended.
     */
    @Test
    void aRejectionBeforeAnyBranchFailedIsThrownOnceTheAcceptedBranchesWereCancelled() {
        RejectedExecutionException full = new RejectedExecutionException("full");
        CountDownLatch firstRunning = new CountDownLatch(1);
        AtomicBoolean firstEnded = new AtomicBoolean();
        AtomicInteger submitted = new AtomicInteger();
        Executor oneThreadThenFull = task -> {
            if (submitted.getAndIncrement() == 0) {
                new Thread(task).start();
                return;
            }
            try {
                firstRunning.await(); // the branch it took is running when it rejects the next
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            throw full;
        };

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(oneThreadThenFull, List.<Callable<String>>of(
                () -> {
                    try {
                        firstRunning.countDown();
                        new CountDownLatch(1).await(); // until cancelled
                        return "a";
                    } finally {
                        firstEnded.set(true);
                    }
                },
                () -> "b")));

        assertThat(thrown).isSameAs(full);
        assertThat(thrown.getSuppressed()).isEmpty();
        assertThat(firstEnded).as("the accepted branch, cancelled, had ended").isTrue();
    }

    /** A model whose failures are checked, as an HTTP client's. */
    public interface Model {
        String answer(String question) throws IOException;
    }

    /** A model whose requests may be interrupted mid-wait: the InterruptedException goes out as it is. */
    public interface InterruptibleModel {
        String answer(String question) throws Exception;
    }

    /**
     * A branch's attempt times out (the timer's interrupt heard), and while the request is still
     * unwinding the branch is cancelled: the cancel's interrupt is one flag with the timer's, and is kept
     * when the timer takes its own back, so the cancelled branch's retry stops there.
     */
    @Test
    void aCancelArrivingJustAfterTheAttemptTimedOutStillStopsTheBranchsRetries() throws Exception {
        CountDownLatch timerHeard = new CountDownLatch(1);
        int attempts = attemptsOfABranchCancelledAfterItsAttemptTimedOut(q -> {
            int interrupts = 0;
            while (interrupts < 2) { // a request that unwinds slowly: it ends on its second interrupt
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    if (++interrupts == 1) {
                        timerHeard.countDown();
                    }
                }
            }
            Thread.currentThread().interrupt(); // as langchain4j's JDK client: flag kept, I/O failure thrown
            throw new IOException("request cancelled");
        }, timerHeard);

        assertThat(attempts).as("attempts of the cancelled branch's call").isEqualTo(1);
    }

    /**
     * The same cancel, while the timed-out attempt's interrupt is still pending (the request busy, deaf):
     * the cancel's interrupt is one flag with the timer's, and the request then hears that flag (the
     * InterruptedException takes it). The timer has nothing left to take back, but the run has cancelled
     * the branch: the flag is set again and the branch's retry stops.
     */
    @Test
    void aBranchCancelledWhileItsTimedOutAttemptsInterruptWasPendingMakesNoFurtherAttempt() throws Exception {
        Thread caller = Thread.currentThread();
        int attempts = attemptsOfABranchCancelledAfterItsAttemptTimedOut(q -> {
            // busy, deaf to interrupts, until the caller has cancelled the run and waits for this branch
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (caller.getState() != Thread.State.WAITING && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            new CountDownLatch(1).await(); // the first interruptible point: throws at once, the flag heard
            return "never";
        }, new CountDownLatch(0));

        assertThat(attempts).as("attempts of the cancelled branch's call").isEqualTo(1);
    }

    /**
     * Runs a branch whose call (3 attempts, 1 s each on a virtual clock) sends {@code firstRequest} first
     * (the later requests answer at once), beside a sibling that, once that request is in flight, fires the
     * attempt's timer, waits for {@code beforeFailing} and fails for good, which cancels the branch. Asserts
     * the sibling's failure is the caller's and the branch ended; returns the attempts the branch's call made.
     */
    private static int attemptsOfABranchCancelledAfterItsAttemptTimedOut(InterruptibleModel firstRequest,
            CountDownLatch beforeFailing) throws Exception {
        VirtualTimeSource clock = new VirtualTimeSource();
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        InterruptibleModel timed = Rebound.wrap(InterruptibleModel.class, (InterruptibleModel) q -> {
            if (attempts.incrementAndGet() > 1) {
                return "late answer";
            }
            inFlight.countDown();
            return firstRequest.answer(q);
        }).named("timed").withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false)
                .attemptTimeout(Duration.ofSeconds(1)).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();
        IllegalStateException failure = new IllegalStateException("other branch failed");

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(
                () -> {
                    try {
                        return timed.answer("q");
                    } finally {
                        ended.countDown();
                    }
                },
                () -> {
                    inFlight.await();
                    clock.advance(Duration.ofSeconds(2)); // the attempt's timer fires
                    beforeFailing.await();
                    throw failure;
                }));

        assertThat(thrown).isSameAs(failure);
        assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        return attempts.get();
    }

    /**
     * A saturated pool with CallerRunsPolicy: branch 0 on the pool's one thread, branch 1 in place on the
     * caller's. Branch 1's attempt times out (its timer's interrupt pending, the request busy), then branch 0
     * fails for good, which stops the run and branch 1 with it: its interrupt is one flag with the timer's.
     * The timer takes the flag back and sets it again, the stop's; the run takes it back when branch 1
     * ends. The caller gets the first failure for good, its thread not left interrupted.
     */
    @Test
    void aSiblingsTimerInterruptOnTheCallersThreadIsNeitherTheCallersInterruptNorItsFailure() throws Exception {
        VirtualTimeSource clock = new VirtualTimeSource();
        ThreadPoolExecutor oneThenCallerRuns = new ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS,
                new SynchronousQueue<>(), new ThreadPoolExecutor.CallerRunsPolicy());
        try {
            CountDownLatch timerFired = new CountDownLatch(1);
            Thread caller = Thread.currentThread();
            AtomicReference<Thread> timedRanOn = new AtomicReference<>();
            Model timed = Rebound.wrap(Model.class, (Model) q -> {
                timedRanOn.compareAndSet(null, Thread.currentThread());
                clock.advance(Duration.ofSeconds(2)); // busy past the limit: the timer's interrupt pending
                timerFired.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (oneThenCallerRuns.getCompletedTaskCount() < 1 && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait(); // until branch 0 has failed for good and its task has ended
                }
                throw new IOException("read failed");
            }).named("timed").withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false)
                    .attemptTimeout(Duration.ofSeconds(1)).build())
                    .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();
            IllegalStateException failure = new IllegalStateException("branch 0 failed for good");

            Throwable thrown = catchThrowable(() -> Parallel.invokeAll(oneThenCallerRuns, List.<Callable<String>>of(
                    () -> {
                        timerFired.await();
                        throw failure;
                    },
                    () -> timed.answer("q"))));

            boolean callerLeftInterrupted = Thread.interrupted();
            assertThat(timedRanOn.get()).as("branch 1 ran in place, on the caller's thread").isSameAs(caller);
            assertThat(thrown).as("the first failure for good wins").isSameAs(failure);
            assertThat(callerLeftInterrupted).as("the caller's thread, never interrupted by anyone").isFalse();
        } finally {
            oneThenCallerRuns.shutdownNow();
        }
    }

    /**
     * A saturated pool with CallerRunsPolicy: branch 0 on the pool's one thread, branch 1 in place on the
     * caller's, a real HTTP call of 5 attempts against a model that answers 500. Branch 1's first attempt
     * fails, and while it waits before the second, branch 0 fails for good. The run stops branch 1 as it
     * would stop it on the pool: interrupted, its wait ends and it tries nothing more (one request, not
     * five). The caller gets branch 0's failure as it is, nothing of branch 1's attached, and its thread
     * is left as it was: not interrupted.
     */
    @Test
    void aBranchRunInPlaceStopsWaitingAndTriesNothingMoreOnceASiblingOnThePoolFailedForGood() {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch siblingEnded = new CountDownLatch(1);
        VirtualTimeSource clock = new VirtualTimeSource();
        server.always("gpt-4", Fault.serverError());
        ChatModel inPlace = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(new Fakes.WaitsUntil(waiting, siblingEnded, clock))
                        .logging(false).build()).build();
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        IllegalStateException failure = new IllegalStateException("branch 0 failed for good");

        Throwable thrown = failureBesideABranchInPlace(waiting, siblingEnded, failure, () -> {
            ranOn.set(Thread.currentThread());
            return inPlace.chat("q");
        });

        boolean callerLeftInterrupted = Thread.interrupted();
        assertThat(ranOn.get()).as("branch 1 ran in place, on the caller's thread").isSameAs(caller);
        assertThat(thrown).as("the first failure for good wins").isSameAs(failure);
        assertThat(server.requests("gpt-4")).as("branch 1's requests: it tried nothing more").isEqualTo(1);
        assertThat(thrown.getSuppressed()).as("not what branch 1 threw on its stop").isEmpty();
        assertThat(clock.sleeps()).as("its wait before attempt 2 ended, not slept").isEmpty();
        assertThat(callerLeftInterrupted).as("the caller's thread, never interrupted by anyone").isFalse();
    }

    /**
     * The same stop, on a caller that was interrupted itself before it called, its interrupt heard (taken)
     * by branch 1 when it ran in place: the run's own interrupt is taken back when branch 1 ends, and the
     * caller's flag is put back as it was when the branch started: set.
     */
    @Test
    void aCallerInterruptedBeforeItsBranchRanInPlaceWasStoppedKeepsItsOwnInterrupt() {
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch siblingEnded = new CountDownLatch(1);
        AtomicBoolean sawItsStop = new AtomicBoolean();
        Thread.currentThread().interrupt();

        Throwable thrown = failureBesideABranchInPlace(ready, siblingEnded,
                new IllegalStateException("branch 0 failed for good"), () -> {
                    boolean callersOwn = Thread.interrupted();
                    ready.countDown();
                    try {
                        siblingEnded.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException stop) {
                        sawItsStop.set(callersOwn);
                    }
                    return "stopped";
                });

        boolean callerLeftInterrupted = Thread.interrupted();
        assertThat(thrown).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InterruptedException.class); // the caller's own, heard by invokeAll's wait
        assertThat(callerLeftInterrupted).as("the caller's own interrupt, kept").isTrue();
        assertThat(sawItsStop).as("branch 1 had the caller's interrupt, then the run's stop").isTrue();
    }

    /**
     * The same stop, on a caller the application interrupts (from a thread of its own) while branch 1 runs
     * in place, before branch 0 fails for good: branch 1 has not heard that interrupt yet when the run
     * stops it, the flag set. The stop finds the flag someone else's and takes nothing of it back: branch
     * 1's retry stops after its first attempt, the caller's thread is left interrupted, and the call ends
     * as one whose caller is interrupted during the run: a CompletionException with the
     * InterruptedException, not branch 0's failure.
     */
    @Test
    void aCallerTheApplicationInterruptsDuringItsBranchRunInPlaceKeepsThatInterruptWhenTheRunStopsTheBranch() {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch siblingEnded = new CountDownLatch(1);
        Thread caller = Thread.currentThread();
        AtomicInteger attempts = new AtomicInteger();
        Model inPlace = Rebound.wrap(Model.class, (Model) q -> {
            attempts.incrementAndGet();
            new Thread(caller::interrupt, "application").start();
            spinUntil(() -> Thread.currentThread().isInterrupted()); // the application's interrupt, not heard
            interrupted.countDown(); // branch 0 fails for good, and the run stops this branch
            spinUntil(() -> siblingEnded.getCount() == 0); // deaf: the flag stays set
            throw new IOException("busy");
        }).withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false).build()).build();
        IllegalStateException failure = new IllegalStateException("branch 0 failed for good");

        Throwable thrown = failureBesideABranchInPlace(interrupted, siblingEnded, failure, () -> inPlace.answer("q"));

        boolean callerLeftInterrupted = Thread.interrupted();
        assertThat(attempts).as("branch 1's attempts: its retry stops on the interrupt").hasValue(1);
        assertThat(thrown).as("the call of a caller interrupted during it").isNotSameAs(failure)
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(InterruptedException.class);
        assertThat(callerLeftInterrupted).as("the application's interrupt, kept").isTrue();
    }

    /**
     * Branch 1, run in place, runs a nested {@code Parallel} whose own branch 1 runs in place too, on the
     * same thread: the nested run's branch 0 fails for good and the nested run stops its branch 1, an
     * interrupt of Rebound's on the caller's thread, still set (the branch deaf) when branch 0 of the outer
     * run fails for good and the outer run stops its branch 1. That flag is the nested run's, not someone
     * else's: taken back when the branches end, the caller gets the outer branch 0's failure, its thread
     * not interrupted.
     */
    @Test
    void aNestedRunsStopStillSetWhenTheEnclosingRunStopsItsBranchIsNotTakenForSomeoneElsesInterrupt() {
        CountDownLatch outerReady = new CountDownLatch(1);
        CountDownLatch outerEnded = new CountDownLatch(1);
        CountDownLatch nestedStarted = new CountDownLatch(1);
        CountDownLatch nestedEnded = new CountDownLatch(1);
        ThreadPoolExecutor nestedPool = oneThreadThenCallerRuns(nestedEnded);
        IllegalStateException outerFailure = new IllegalStateException("outer branch 0 failed for good");
        AtomicInteger nestedBranch1Ran = new AtomicInteger();
        try {
            Throwable thrown = failureBesideABranchInPlace(outerReady, outerEnded, outerFailure,
                    () -> Parallel.invokeAll(nestedPool, List.<Callable<String>>of(
                            () -> {
                                nestedStarted.await();
                                throw new IllegalStateException("nested branch 0 failed for good");
                            },
                            () -> {
                                nestedBranch1Ran.incrementAndGet();
                                nestedStarted.countDown();
                                spinUntil(() -> nestedEnded.getCount() == 0); // the nested run stopped it: deaf
                                outerReady.countDown(); // the outer run stops this branch now, the flag set
                                spinUntil(() -> outerEnded.getCount() == 0);
                                return "deaf";
                            })).get(1));

            boolean callerLeftInterrupted = Thread.interrupted();
            assertThat(nestedBranch1Ran).as("the nested branch 1 ran in place").hasValue(1);
            assertThat(thrown).as("the first failure for good wins").isSameAs(outerFailure);
            assertThat(callerLeftInterrupted).as("the caller's thread, never interrupted by anyone").isFalse();
        } finally {
            nestedPool.shutdownNow();
        }
    }

    /** Spins (never consuming the interrupt flag) until {@code done}; fails after 10 s. */
    static void spinUntil(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not reached in 10 s");
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Runs branch 0 on a pool's one thread, failing for good with {@code failure} once {@code ready} opens,
     * and {@code inPlace} in place, on the caller's thread (the pool busy, CallerRunsPolicy); {@code ended}
     * opens once branch 0 has ended, its failure reported to the run. Returns what the caller got.
     */
    private static Throwable failureBesideABranchInPlace(CountDownLatch ready, CountDownLatch ended,
            RuntimeException failure, Callable<String> inPlace) {
        ThreadPoolExecutor oneThenCallerRuns = oneThreadThenCallerRuns(ended);
        try {
            return catchThrowable(() -> Parallel.invokeAll(oneThenCallerRuns, List.<Callable<String>>of(
                    () -> {
                        ready.await();
                        throw failure;
                    },
                    inPlace)));
        } finally {
            oneThenCallerRuns.shutdownNow();
        }
    }

    /** One thread, no queue, CallerRunsPolicy: the second branch runs in place while the first runs. */
    static ThreadPoolExecutor oneThreadThenCallerRuns(CountDownLatch taskEnded) {
        return new ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS, new SynchronousQueue<>(),
                new ThreadPoolExecutor.CallerRunsPolicy()) {
            @Override
            protected void afterExecute(Runnable task, Throwable thrown) {
                taskEnded.countDown(); // the pool's branch has ended, its failure reported to the run
            }
        };
    }

    @Test
    void aCheckedFailureArrivesWrappedWithItsIdentityAsCauseAndNoneOfItsMessage() {
        IOException io = new IOException("401 for key sk-live-0123");
        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(List.<Callable<String>>of(() -> {
            throw io;
        })));
        assertThat(thrown).isInstanceOf(CompletionException.class).hasCause(io)
                .hasMessage("a branch failed with java.io.IOException"); // the class, never the failure's message
    }

    @Test
    void noBranchesNoResultsAndNullsAreRefused() {
        assertThat(Parallel.invokeAll(List.<Callable<String>>of())).isEmpty();
        assertThatThrownBy(() -> Parallel.invokeAll(java.util.Arrays.asList(() -> "a", null)))
                .isInstanceOf(NullPointerException.class).hasMessage("branches[1]");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNullBranchArrayIsRefusedNamingItAsANullBranchIs() {
        assertThatThrownBy(() -> Parallel.invokeAll((Callable<String>[]) null))
                .isInstanceOf(NullPointerException.class).hasMessage("branches");
    }
    @Test
    void aBranchRunsWithTheContextClassLoaderOfTheCallThatSubmittedItAndItsThreadKeepsNone() throws Exception {
        ClassLoader application = new java.net.URLClassLoader(new java.net.URL[0], getClass().getClassLoader());
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        Thread[] ran = new Thread[1];
        List<ClassLoader> seen;
        Thread.currentThread().setContextClassLoader(application);
        try {
            seen = Parallel.invokeAll(() -> {
                ran[0] = Thread.currentThread();
                return Thread.currentThread().getContextClassLoader();
            });
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }

        assertThat(seen).containsExactly(application);
        assertThat(ran[0].getName()).startsWith("rebound-branch-");
        assertThat(ran[0].getContextClassLoader()).as("the branch's thread, once the call returned").isNull();
        assertThat(Batch.map(List.of("a"), 1, in -> Thread.currentThread().getContextClassLoader()))
                .extracting(Batch.Result::value).as("a batch's branch").containsExactly(before);
    }

    public interface Chat {
        String chat(String prompt) throws IOException;
    }

    /**
     * "One trace per logical call": a call made in a branch is part of the trace of the call that made
     * the branches, its span a child of what was current there, on Rebound's threads and on an executor
     * of the caller's alike; the branch's thread keeps nothing of it once the branch has ended.
     */
    @Test
    void aCallInABranchIsPartOfTheCallersTraceAndItsThreadKeepsNothingOfIt() throws Exception {
        java.util.concurrent.ExecutorService own = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (OtelTracing tracing = new OtelTracing()) {
            Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> "answer").named("gpt-4")
                    .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                    .settings(ReboundSettings.builder().logging(false).timeSource(new VirtualTimeSource())
                            .tracer(new ObservationTracer(tracing.registry())).build())
                    .build();
            Observation request = Observation.start("request", tracing.registry());
            try (Observation.Scope ignored = request.openScope()) {
                Parallel.invokeAll(() -> chat.chat("on Rebound's threads"));
                Parallel.invokeAll(own, List.of(() -> chat.chat("on the caller's executor")));
            }
            request.stop();

            assertThat(tracing.tree()).isEqualTo("""
                    request status=OK
                      Chat.chat rebound.method=Chat.chat(String) rebound.outcome=success status=OK
                        attempt gpt-4 rebound.attempt=1 rebound.outcome=success rebound.target=gpt-4 status=OK
                      Chat.chat rebound.method=Chat.chat(String) rebound.outcome=success status=OK
                        attempt gpt-4 rebound.attempt=1 rebound.outcome=success rebound.target=gpt-4 status=OK
                    """);
            assertThat(own.submit(() -> tracing.registry().getCurrentObservation() == null
                    && !Span.current().getSpanContext().isValid()).get()).as("nothing current on the branch's thread after it").isTrue();
        } finally {
            own.shutdown();
        }
    }

    /**
     * A tracing handler that throws an Error when the caller's observation is made current on a branch's
     * thread: the branch fails with it, the caller gets it (it waited for ever for the branch to leave), and
     * the thread keeps nothing (no scope, no branch) for the next task it runs.
     */
    @Test
    void aTracingHandlersErrorEnteringABranchIsTheBranchsFailureAndLeavesItsThreadAsItWas() throws Exception {
        AssertionError broken = new AssertionError("handler broken");
        BranchUnderAThrowingHandler run = new BranchUnderAThrowingHandler(broken);

        assertThat(run.thrown).isSameAs(broken);
        assertThat(run.scopeLeftOnTheBranchsThread).as("no scope left on the branch's thread").isFalse();
        assertThat(run.nextRun).containsExactly("the next run");
    }

    /**
     * The same handler throwing an exception: the branch runs without the caller's context (as documented),
     * and Micrometer's scope, current before the handler threw, is not left on the thread for its next task.
     */
    @Test
    void aTracingHandlersExceptionEnteringABranchLeavesNoScopeOnItsThread() throws Exception {
        BranchUnderAThrowingHandler run = new BranchUnderAThrowingHandler(new IllegalStateException("handler broken"));

        assertThat(run.thrown).isNull();
        assertThat(run.scopeLeftOnTheBranchsThread).as("no scope left on the branch's thread").isFalse();
        assertThat(run.nextRun).containsExactly("the next run");
    }

    /**
     * A handler registered after the tracing bridge throws as the scope opens on a branch's thread: the
     * bridge had made the caller's span current there, and the scope is closed so that it takes it back;
     * else every later task on that pool thread started its spans in the caller's request.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aHandlerThatThrowsAfterTheTracingBridgeLeavesNoSpanCurrentOnTheBranchsThread(boolean error) throws Exception {
        try (OtelTracing tracing = new OtelTracing()) {
            BranchUnderAThrowingHandler run = new BranchUnderAThrowingHandler(tracing.registry(),
                    error ? new AssertionError("handler broken") : new IllegalStateException("handler broken"));

            assertThat(run.spanOnTheBranchsThread).as("the caller's span left current on the pool thread")
                    .isEqualTo(Span.getInvalid().getSpanContext().getSpanId());
        }
    }

    /** One Parallel run on an executor of the caller's, under an observation whose handler throws on a branch's thread. */
    static final class BranchUnderAThrowingHandler {
        final Throwable thrown;
        final boolean scopeLeftOnTheBranchsThread;
        /** The OpenTelemetry span current on the branch's thread afterwards, for its next task. */
        final String spanOnTheBranchsThread;
        final List<String> nextRun;

        BranchUnderAThrowingHandler(Throwable onScopeOpened) throws Exception {
            this(io.micrometer.observation.ObservationRegistry.create(), onScopeOpened);
        }

        /** On {@code registry}, whose handlers registered before this one (a tracing bridge's) act first. */
        BranchUnderAThrowingHandler(io.micrometer.observation.ObservationRegistry registry, Throwable onScopeOpened)
                throws Exception {
            java.util.concurrent.atomic.AtomicReference<Thread> caller = new java.util.concurrent.atomic.AtomicReference<>();
            registry.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {
                @Override
                public boolean supportsContext(Observation.Context context) {
                    return true;
                }

                @Override
                public void onScopeOpened(Observation.Context context) {
                    if (Thread.currentThread() != caller.get()) {
                        if (onScopeOpened instanceof Error e) {
                            throw e;
                        }
                        throw (RuntimeException) onScopeOpened;
                    }
                }
            });
            java.util.concurrent.ExecutorService own = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                thrown = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                    caller.set(Thread.currentThread());
                    Observation request = Observation.start("request", registry);
                    try (Observation.Scope ignored = request.openScope()) {
                        return catchThrowable(() -> Parallel.invokeAll(own, List.of(() -> "a branch")));
                    } finally {
                        request.stop();
                    }
                }, "the caller waited for ever for a branch that never left");
                scopeLeftOnTheBranchsThread = own.submit(() -> registry.getCurrentObservationScope() != null).get();
                spanOnTheBranchsThread = own.submit(OtelTracing::currentSpanId).get();
                nextRun = Parallel.invokeAll(own, List.of(() -> "the next run"));
            } finally {
                own.shutdown();
            }
        }
    }

    /** Without Micrometer's Observation: the caller's current OpenTelemetry context is a branch's. */
    /**
     * The caller has an observation in scope and, inside it, an OpenTelemetry span of its own current (as an
     * instrumented client or a user's span makes one): the branch sees that span current, not the
     * observation's.
     */
    @Test
    void aBranchSeesTheSpanCurrentOnTheCallerEvenOneOpenedInsideItsObservation() {
        try (dev.rebound.runtime.observation.OtelTracing tracing = new dev.rebound.runtime.observation.OtelTracing()) {
            var seen = tracing.underASpanInsideAnObservation(
                    () -> Parallel.invokeAll(dev.rebound.runtime.observation.OtelTracing::currentSpanId));

            assertThat(seen.returned()).containsExactly(seen.onCaller());
        }
    }

    @Test
    void aBranchRunsInTheOpenTelemetryContextOfTheCallThatSubmittedIt() {
        try (OtelTracing tracing = new OtelTracing()) {
            Span request = tracing.otel().spanBuilder("request").startSpan();
            List<String> traces;
            try (Scope ignored = request.makeCurrent()) {
                traces = Parallel.invokeAll(() -> Span.current().getSpanContext().getTraceId());
            }
            request.end();

            assertThat(traces).containsExactly(request.getSpanContext().getTraceId());
        }
    }

    /** Run in a loader with Rebound and SLF4J only: no Micrometer, no OpenTelemetry. */
    public static final class WithoutTracing {
        public static String run() {
            return String.join(" ", Parallel.invokeAll(() -> "a", () -> "b"))
                    + " " + Batch.map(List.of("c"), 1, in -> in).get(0).value();
        }
    }

    /** The trace context a branch carries costs an application without a tracing library nothing, and fails nothing. */
    @Test
    void branchesRunWithoutAnyTracingLibraryOnTheClassPath() throws Exception {
        java.net.URL[] onlyRebound = {where(Rebound.class), where(dev.rebound.annotations.Retry.class),
                where(org.slf4j.Logger.class), where(ParallelTest.class)};
        try (java.net.URLClassLoader application = new java.net.URLClassLoader("no-tracing", onlyRebound,
                ClassLoader.getPlatformClassLoader())) {
            assertThat(application.getResource("io/micrometer/observation/Observation.class")).isNull();
            assertThat(application.getResource("io/opentelemetry/context/Context.class")).isNull();
            Object answer = application.loadClass(WithoutTracing.class.getName()).getMethod("run").invoke(null);

            assertThat(answer).isEqualTo("a b c");
        }
    }

    private static java.net.URL where(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    /** A method that asks two sources at once, as the RAG tutorial's parallel step does. */
    public interface Answerer {
        String answer(String question);
    }

    /**
     * The tutorial's "retrying indefinitely" mistake through a branch: a retrying method whose branch calls
     * a retrying model makes 3 x 3 requests, and the nesting is warned about as when the call is direct,
     * though the model's first failure is on a branch thread, whose stack does not show the method.
     */
    @Test
    void aRetryingModelInABranchOfARetryingMethodIsWarnedAboutAsNestedRetries() {
        server.always("gpt-4o", Fault.unavailable());
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        RetryPolicy threeAttempts = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).build();
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4o")).named("gpt-4o")
                .withRetry(threeAttempts).settings(settings).build();
        Answerer answerer = Rebound.wrap(Answerer.class,
                (Answerer) q -> String.join("\n", Parallel.invokeAll(() -> model.chat(q), () -> "faq")))
                .named("answerer").withRetry(threeAttempts).settings(settings).build();

        String log = StdErr.during(() -> catchThrowable(() -> answerer.answer("q")));

        assertThat(server.requests("gpt-4o")).as("3 x 3 requests").isEqualTo(9);
        assertThat(log.lines().filter(l -> l.contains("Nested retries: Answerer.answer(String) (3 attempts) calls "
                + "ChatModel.chat(String) (3 attempts), so one call of Answerer.answer(String) can make up to 9 "
                + "attempts of ChatModel.chat(String)")).count()).isEqualTo(1);
    }
}
