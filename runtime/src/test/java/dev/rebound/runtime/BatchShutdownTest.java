package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.rebound.runtime.Fakes.BlockingTime;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chaos and soak 4, second half: an executor shut down during a Batch run cancels the pending
 * inputs and reports them as cancelled, not as successes, and the batch returns promptly.
 */
class BatchShutdownTest {

    public interface Model {
        String answer(int question) throws IOException;
    }

    static final int INPUTS = 10;

    /** Questions 0-3 are answered at once; from 4 on, the first attempt fails and the retry waits. */
    static final class Scripted implements Model {
        final AtomicInteger attempts = new AtomicInteger();

        @Override
        public String answer(int question) throws IOException {
            attempts.incrementAndGet();
            if (question < 4) {
                return "answer " + question;
            }
            throw new IOException("busy");
        }
    }

    @Test
    void shutdownNowDuringABatchCancelsWhatIsPendingAndReportsItAsCancelled() {
        Scripted scripted = new Scripted();
        BlockingTime time = new BlockingTime(2);
        Model model = Rebound.wrap(Model.class, (Model) scripted)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofSeconds(1)).build())
                .settings(ReboundSettings.builder().logging(false).timeSource(time).build()).build();
        ExecutorService pool = Executors.newFixedThreadPool(2); // 4 workers asked for: 2 run, 2 queue
        Thread stopper = new Thread(() -> {
            try {
                if (time.sleeping.await(10, TimeUnit.SECONDS)) { // both threads wait to retry 4 and 5
                    pool.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();
        List<Integer> questions = new ArrayList<>();
        for (int i = 0; i < INPUTS; i++) {
            questions.add(i);
        }

        List<Batch.Result<String>> results = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> Batch.map(pool, questions, 4, model::answer));

        assertThat(results).hasSize(INPUTS).extracting(Batch.Result::index)
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        for (int i = 0; i < 4; i++) {
            assertThat(results.get(i).value()).isEqualTo("answer " + i);
            assertThat(results.get(i).isCancelled()).isFalse();
        }
        List<Batch.Result<String>> cancelled = results.subList(4, INPUTS);
        assertThat(cancelled).allMatch(Batch.Result::isCancelled).noneMatch(Batch.Result::isSuccess)
                .allMatch(r -> r.failure() instanceof CancellationException);
        assertThat(cancelled).filteredOn(r -> r.failure().getCause() instanceof IOException).hasSize(2);
        assertThat(cancelled).filteredOn(r -> r.failure().getCause() == null).hasSize(4);
        assertThat(results.get(9).toString()).isEqualTo("Result[9 cancelled]");
        assertThat(scripted.attempts.get()).isEqualTo(6); // 0-3, and the first attempts of 4 and 5: no more
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void aGracefulShutdownDuringABatchLetsEveryInputFinish() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread stopper = new Thread(() -> {
            try {
                started.await(10, TimeUnit.SECONDS);
                pool.shutdown();
                release.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();

        List<Batch.Result<Integer>> results = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> Batch.map(pool, List.of(1, 2, 3, 4, 5, 6), 4, i -> {
                    started.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    return i * 10;
                }));

        assertThat(results).extracting(Batch.Result::value).containsExactly(10, 20, 30, 40, 50, 60);
        assertThat(results).noneMatch(Batch.Result::isCancelled);
        stopper.join(10_000);
    }

    /** When the plain shutdown() comes, each time before the second input's attempt times out. */
    enum PlainShutdown { DURING_AN_EARLIER_INPUTS_CALL, DURING_THE_ATTEMPT_BEFORE_ITS_TIME_CAME }

    /**
     * A plain shutdown() made before an attempt's time came (during the first input's call, which answers;
     * or during the timed-out attempt itself) interrupted nobody: the timer's own interrupt is taken back,
     * the second input's timed-out attempt is retried as any transient failure, and the batch finishes
     * with every input answered.
     */
    @ParameterizedTest
    @EnumSource(PlainShutdown.class)
    void aPlainShutdownLongBeforeAnAttemptTimesOutLetsTheBatchFinish(PlainShutdown when) throws Exception {
        VirtualTimeSource clock = new VirtualTimeSource();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        List<Integer> calls = new CopyOnWriteArrayList<>();
        try {
            Model timed = withAttemptTimeout(clock, q -> {
                calls.add(q);
                if (q == 1 && when == PlainShutdown.DURING_AN_EARLIER_INPUTS_CALL) {
                    pool.shutdown(); // a graceful shutdown: interrupts no one, the worker's inputs still run
                }
                if (q == 2 && calls.stream().filter(c -> c == 2).count() == 1) {
                    if (when == PlainShutdown.DURING_THE_ATTEMPT_BEFORE_ITS_TIME_CAME) {
                        pool.shutdown();
                    }
                    clock.advance(Duration.ofSeconds(2)); // its first attempt busy past its limit
                    throw new IOException("read failed");
                }
                return "answer " + q;
            });

            List<Batch.Result<String>> results = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> Batch.map(pool, List.of(1, 2, 3), 1, timed::answer));

            assertThat(calls).as("calls made: the timed-out attempt retried, every input called")
                    .containsExactly(1, 2, 2, 3);
            assertThat(results).extracting(Batch.Result::value).containsExactly("answer 1", "answer 2", "answer 3");
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * shutdownNow() while an input's attempt has timed out, its timer's interrupt still pending (the request
     * busy): shutdownNow's interrupt is one flag with the timer's. The timer takes the flag back, but the
     * pool was shut down meanwhile: the flag is set again, so the input's retry stops, the input is
     * reported cancelled and the worker calls no later input.
     */
    @Test
    void shutdownNowArrivingWhileAnInputsTimerInterruptIsPendingStillEndsTheBatch() throws Exception {
        VirtualTimeSource clock = new VirtualTimeSource();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        CountDownLatch timerFired = new CountDownLatch(1);
        CountDownLatch shutDown = new CountDownLatch(1);
        List<Integer> calls = new CopyOnWriteArrayList<>();
        Model timed = withAttemptTimeout(clock, q -> {
            calls.add(q);
            if (calls.size() == 1) {
                clock.advance(Duration.ofSeconds(2)); // busy past the limit: the timer's interrupt pending
                timerFired.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (shutDown.getCount() > 0 && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait(); // still busy while shutdownNow() interrupts this thread
                }
                throw new IOException("read failed");
            }
            return "answer " + q;
        });
        Thread stopper = new Thread(() -> {
            try {
                timerFired.await();
                pool.shutdownNow();
                shutDown.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();

        List<Batch.Result<String>> results = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> Batch.map(pool, List.of(1, 2, 3), 1, timed::answer));
        stopper.join(10_000);

        assertThat(calls).as("calls made once the pool was shut down with shutdownNow()").containsExactly(1);
        assertThat(results).allMatch(Batch.Result::isCancelled);
        assertThat(results.get(0).failure()).hasCauseInstanceOf(AttemptTimeoutException.class);
    }

    /** {@code target} with 3 attempts of at most 1 s each on {@code clock}, no delay between them. */
    private static Model withAttemptTimeout(VirtualTimeSource clock, Model target) {
        return Rebound.wrap(Model.class, target).withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO)
                .jitter(false).attemptTimeout(Duration.ofSeconds(1)).build())
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();
    }

    /** A pool of one thread whose queue counts {@code queued} down when a task waits in it. */
    private static ExecutorService oneThreadTellingWhenATaskQueues(CountDownLatch queued) {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>() {
            @Override
            public boolean offer(Runnable task) {
                boolean added = super.offer(task);
                queued.countDown();
                return added;
            }
        });
    }

    @Test
    void shutdownNowDuringParallelBranchesEndsTheWaitInsteadOfHanging() {
        CountDownLatch queued = new CountDownLatch(1);
        ExecutorService pool = oneThreadTellingWhenATaskQueues(queued); // the second branch queues
        CountDownLatch running = new CountDownLatch(1);
        AtomicInteger secondRan = new AtomicInteger();
        Thread stopper = new Thread(() -> {
            try {
                if (running.await(10, TimeUnit.SECONDS) && queued.await(10, TimeUnit.SECONDS)) {
                    pool.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();

        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                Parallel.invokeAll(pool, List.<java.util.concurrent.Callable<String>>of(() -> {
                    running.countDown();
                    try {
                        new CountDownLatch(1).await(); // until interrupted
                    } catch (InterruptedException ignored) {
                        // a branch that finishes normally although interrupted
                    }
                    return "first";
                }, () -> {
                    secondRan.incrementAndGet();
                    return "second";
                }));
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });

        assertThat(thrown).isInstanceOf(CancellationException.class)
                .hasMessage("the executor was shut down before every branch ran");
        assertThat(secondRan).hasValue(0);
    }

    /**
     * shutdownNow() while a branch's Rebound retry waits and another branch is queued: the waiting branch
     * fails on the interrupt, and the caller gets the CancellationException the Javadoc promises (the
     * branch's failure its cause), not that failure as if the branch had failed for good.
     */
    @Test
    void shutdownNowBeforeEveryBranchRanThrowsCancellationEvenWhenTheRunningBranchFailsOnIt() {
        BlockingTime time = new BlockingTime(1);
        Model model = Rebound.wrap(Model.class, (Model) q -> {
            throw new IOException("busy");
        }).withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofSeconds(1)).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
        CountDownLatch queued = new CountDownLatch(1);
        ExecutorService pool = oneThreadTellingWhenATaskQueues(queued); // the second branch queues
        AtomicInteger secondRan = new AtomicInteger();
        Thread stopper = new Thread(() -> {
            try {
                if (time.sleeping.await(10, TimeUnit.SECONDS) && queued.await(10, TimeUnit.SECONDS)) {
                    pool.shutdownNow(); // the first branch's retry waits, the second is queued
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();

        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> catchThrowable(
                () -> Parallel.invokeAll(pool, List.<java.util.concurrent.Callable<String>>of(
                        () -> model.answer(1),
                        () -> {
                            secondRan.incrementAndGet();
                            return "second";
                        }))));

        assertThat(thrown).isInstanceOf(CancellationException.class)
                .hasMessage("the executor was shut down before every branch ran")
                .hasCauseInstanceOf(IOException.class);
        assertThat(thrown.getCause()).hasMessage("busy");
        assertThat(secondRan).hasValue(0);
    }

    /**
     * A saturated pool with CallerRunsPolicy: one worker on the pool's one thread, the other in place on
     * the caller's. {@code shutdownNow()} comes while the input run in place waits to retry: it interrupts
     * only the pool's thread, whose input is cancelled, and the batch stops the worker run in place as
     * {@code shutdownNow()} stops one on the pool: its wait ends, its input tries nothing more and is
     * reported cancelled, and no input starts after. The caller's thread is not left interrupted.
     */
    @Test
    void shutdownNowStopsTheWorkerRunInPlaceOnTheCallersThreadToo() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch poolWorkerEnded = new CountDownLatch(1);
        VirtualTimeSource clock = new VirtualTimeSource();
        ThreadPoolExecutor pool = ParallelTest.oneThreadThenCallerRuns(poolWorkerEnded);
        AtomicInteger callerAttempts = new AtomicInteger();
        ParallelTest.InterruptibleModel model = shutsDownNowOnThePool(pool, waiting, q -> {
            callerAttempts.incrementAndGet();
            throw new IOException("busy");
        }, new Fakes.WaitsUntil(waiting, poolWorkerEnded, clock)); // shutdownNow() while it waits to retry

        List<Batch.Result<String>> results = Batch.map(pool, List.of("0", "1", "2", "3"), 2, model::answer);

        boolean callerLeftInterrupted = Thread.interrupted();
        assertThat(callerAttempts).as("attempts on the caller's thread: nothing more once stopped").hasValue(1);
        assertThat(clock.sleeps()).as("the wait before its attempt 2 ended, not slept").isEmpty();
        assertThat(results).extracting(Batch.Result::isCancelled).containsExactly(true, true, true, true);
        assertThat(callerLeftInterrupted).as("the caller's thread, never interrupted by anyone").isFalse();
    }

    /**
     * As above, but the worker on the pool's input answers all the same once {@code shutdownNow()} interrupted
     * it (a blocking read deaf to interrupts), its thread's flag still set: its answer is kept, and the worker
     * finds the pool stopped and stops the worker run in place: its input tries nothing more and is reported
     * cancelled. (What {@code Parallel} does too:
     * {@link ParallelShutdownTest#aBranchOnThePoolThatReturnsAfterShutdownNowStillStopsTheBranchRunInPlace}.)
     */
    @Test
    void aWorkerOnThePoolThatAnswersAfterShutdownNowStillStopsTheWorkerRunInPlace() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch poolWorkerEnded = new CountDownLatch(1);
        VirtualTimeSource clock = new VirtualTimeSource();
        ThreadPoolExecutor pool = ParallelTest.oneThreadThenCallerRuns(poolWorkerEnded);
        AtomicInteger callerAttempts = new AtomicInteger();
        AtomicReference<String> inPlaceInput = new AtomicReference<>();
        ParallelTest.InterruptibleModel model = shutsDownNowOnThePool(pool, waiting, true, q -> {
            inPlaceInput.set(q);
            callerAttempts.incrementAndGet();
            throw new IOException("busy");
        }, new Fakes.WaitsUntil(waiting, poolWorkerEnded, clock)); // shutdownNow() while it waits to retry

        List<Batch.Result<String>> results = Batch.map(pool, List.of("0", "1"), 2, model::answer);

        boolean callerLeftInterrupted = Thread.interrupted();
        int inPlace = Integer.parseInt(inPlaceInput.get());
        assertThat(callerAttempts).as("attempts on the caller's thread: nothing more once stopped").hasValue(1);
        assertThat(clock.sleeps()).as("the wait before its attempt 2 ended, not slept").isEmpty();
        assertThat(results.get(inPlace).isCancelled()).isTrue();
        assertThat(results.get(1 - inPlace).value()).isEqualTo("read all the same " + (1 - inPlace));
        assertThat(callerLeftInterrupted).as("the caller's thread, never interrupted by anyone").isFalse();
    }

    /**
     * A model retried 5 times, 100 ms after the first attempt, on {@code time}: on {@code pool}'s thread, its
     * call shuts the pool down with {@code shutdownNow()} once {@code go} opens and waits for that interrupt,
     * or, {@code deaf}, answers all the same ("read all the same " and the input), its thread's flag left set;
     * on the caller's thread (a worker run in place), it is {@code inPlace}.
     */
    private static ParallelTest.InterruptibleModel shutsDownNowOnThePool(ThreadPoolExecutor pool, CountDownLatch go,
            ParallelTest.InterruptibleModel inPlace, TimeSource time) {
        return shutsDownNowOnThePool(pool, go, false, inPlace, time);
    }

    private static ParallelTest.InterruptibleModel shutsDownNowOnThePool(ThreadPoolExecutor pool, CountDownLatch go,
            boolean deaf, ParallelTest.InterruptibleModel inPlace, TimeSource time) {
        Thread caller = Thread.currentThread();
        return Rebound.wrap(ParallelTest.InterruptibleModel.class, (ParallelTest.InterruptibleModel) q -> {
            if (Thread.currentThread() != caller) { // the pool's worker
                go.await();
                pool.shutdownNow();
                if (deaf) {
                    return "read all the same " + q; // deaf to the interrupt, the flag left set
                }
                new CountDownLatch(1).await(); // until shutdownNow()'s interrupt
            }
            return inPlace.answer(q);
        }).withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
    }

    /**
     * As above, on a caller the application interrupts (from a thread of its own) while its input runs in
     * place, before {@code shutdownNow()}: that input has not heard the interrupt when the batch stops its
     * worker, the flag set. The stop finds the flag someone else's and takes nothing of it back: the
     * input's retry stops after its first attempt, the caller's thread is left interrupted, and the batch
     * ends as one whose caller is interrupted: a CompletionException with the InterruptedException.
     */
    @Test
    void aCallerTheApplicationInterruptsDuringItsInputRunInPlaceKeepsThatInterruptWhenShutdownNowStopsTheWorker() {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch poolWorkerEnded = new CountDownLatch(1);
        ThreadPoolExecutor pool = ParallelTest.oneThreadThenCallerRuns(poolWorkerEnded);
        Thread caller = Thread.currentThread();
        AtomicInteger callerAttempts = new AtomicInteger();
        ParallelTest.InterruptibleModel model = shutsDownNowOnThePool(pool, interrupted, q -> {
            callerAttempts.incrementAndGet();
            new Thread(caller::interrupt, "application").start();
            ParallelTest.spinUntil(() -> Thread.currentThread().isInterrupted()); // not heard
            interrupted.countDown(); // shutdownNow() now, and the batch stops this worker
            ParallelTest.spinUntil(() -> poolWorkerEnded.getCount() == 0); // deaf: the flag stays set
            throw new IOException("busy");
        }, new VirtualTimeSource());

        Throwable thrown = catchThrowable(() -> Batch.map(pool, List.of("0", "1"), 2, model::answer));

        boolean callerLeftInterrupted = Thread.interrupted();
        assertThat(callerAttempts).as("attempts on the caller's thread: its retry stops on the interrupt").hasValue(1);
        assertThat(thrown).as("the batch of a caller interrupted during it").isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(callerLeftInterrupted).as("the application's interrupt, kept").isTrue();
    }

    /**
     * A saturated pool with CallerRunsPolicy: one worker on the pool's one thread, the other in place on
     * the caller's. The worker on the pool answers its input and finds none left while the input run in
     * place waits to retry; {@code shutdownNow()} ({@code now}) or a plain {@code shutdown()} comes then, when
     * no worker of the batch is on the pool. A plain {@code shutdown()} lets a batch finish; for
     * {@code shutdownNow()} this is the limit Batch's Javadoc and wrap.md state: nothing of the batch's is
     * there for it to interrupt, so the worker run in place goes on as after a plain {@code shutdown()},
     * every attempt made (a pool thread held back for it instead would take a thread other tasks need:
     * {@link #aPoolsThreadWhoseWorkerRanOutOfInputsIsFreeForOtherTasksWhileTheWorkerRunInPlaceGoesOn}).
     */
    @ParameterizedTest(name = "shutdownNow: {0}")
    @ValueSource(booleans = {true, false})
    void aShutdownAfterThePoolsWorkerRanOutOfInputsLetsTheInputRunInPlaceFinish(boolean now) throws Exception {
        RanOut batch = shutDownOnceThePoolsWorkerRanOutOfInputs(now);

        assertThat(batch.callerAttempts).as("attempts on the caller's thread: every one").hasValue(5);
        assertThat(batch.clock.sleeps()).as("the waits between them").containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
        assertThat(batch.inPlaceResult().isCancelled()).isFalse();
        assertThat(batch.inPlaceResult().failure()).isInstanceOf(IOException.class).hasMessage("busy");
        assertThat(batch.poolsResult().value()).isEqualTo(batch.poolsAnswer());
        assertThat(batch.callerLeftInterrupted).as("the caller's thread, never interrupted by anyone").isFalse();
    }

    /**
     * A worker on the pool that finds no input left gives its thread back to the pool, also while the worker
     * run in place goes on, so that a task the input run in place waits for, queued on the same pool, runs: a
     * pool of one thread and a queue of one, CallerRunsPolicy, three inputs and three workers (one on the
     * thread, one queued, one in place). The input run in place submits a task to the same pool once the
     * queued worker has the thread (it finds no input left), and waits for it. The task runs, and every
     * input is answered.
     */
    @Test
    void aWorkerThatRanOutOfInputsGivesItsThreadToATaskQueuedOnThePool() throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(1), new ThreadPoolExecutor.CallerRunsPolicy());
        Thread caller = Thread.currentThread();
        CountDownLatch inPlaceStarted = new CountDownLatch(1);
        AtomicReference<String> inPlaceInput = new AtomicReference<>();
        try {
            List<Batch.Result<String>> results = Batch.map(pool, List.of("0", "1", "2"), 3, q -> {
                if (Thread.currentThread() != caller) { // the worker on the pool's thread
                    inPlaceStarted.await();
                    return "pool " + q;
                }
                inPlaceInput.set(q);
                inPlaceStarted.countDown();
                ParallelTest.spinUntil(() -> pool.getQueue().isEmpty()); // the queued worker has the thread
                return pool.submit(() -> "task").get(10, TimeUnit.SECONDS) + " " + q;
            });

            int inPlace = Integer.parseInt(inPlaceInput.get());
            for (int i = 0; i < 3; i++) {
                assertThat(results.get(i).value()).isEqualTo((i == inPlace ? "task " : "pool ") + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The saturated pool of {@link ParallelTest#oneThreadThenCallerRuns}'s shape (one thread, no queue, a
     * CallerRunsPolicy that counts its rejections): the batch's worker on the pool answers its input and finds
     * none left while the worker run in place on the caller still runs its input. A task someone else submits
     * to the pool then runs on the pool's thread, which has nothing of the batch's left to do: no rejection,
     * not run on its submitter's thread. (A worker holding its thread for the one run in place, so that
     * {@code shutdownNow()} could reach it, took that thread: the task was rejected.)
     */
    @Test
    void aPoolsThreadWhoseWorkerRanOutOfInputsIsFreeForOtherTasksWhileTheWorkerRunInPlaceGoesOn() throws Exception {
        AtomicInteger rejected = new AtomicInteger();
        RejectedExecutionHandler callerRuns = new ThreadPoolExecutor.CallerRunsPolicy();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS, new SynchronousQueue<>(),
                (r, e) -> {
                    rejected.incrementAndGet();
                    callerRuns.rejectedExecution(r, e);
                });
        CountDownLatch callerInInput = new CountDownLatch(1);
        CountDownLatch taskRan = new CountDownLatch(1);
        CountDownLatch poolAnswered = new CountDownLatch(1);
        AtomicReference<Thread> poolThread = new AtomicReference<>();
        AtomicReference<Thread> taskThread = new AtomicReference<>();
        AtomicReference<List<Batch.Result<String>>> results = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            Thread self = Thread.currentThread();
            results.set(Batch.map(pool, List.of("0", "1"), 2, q -> {
                if (Thread.currentThread() != self) { // the worker on the pool's thread
                    poolThread.set(Thread.currentThread());
                    callerInInput.await();
                    poolAnswered.countDown();
                    return "pool " + q;
                }
                callerInInput.countDown();
                taskRan.await(); // the input run in place goes on until the other task ran
                return "caller " + q;
            }));
        }, "caller");
        try {
            caller.start();
            callerInInput.await();
            poolAnswered.await();
            // the pool's thread waits for a task again once its worker found no input left
            ParallelTest.spinUntil(() -> poolThread.get().getState() == Thread.State.WAITING
                    || poolThread.get().getState() == Thread.State.TIMED_WAITING);
            int rejectedBefore = rejected.get(); // the batch's own worker, run in place
            pool.execute(() -> {
                taskThread.set(Thread.currentThread());
                taskRan.countDown();
            });
            caller.join(10_000);

            assertThat(results.get()).hasSize(2);
            assertThat(rejected.get() - rejectedBefore).as("tasks rejected while the pool's thread had nothing to do")
                    .isZero();
            assertThat(taskThread.get()).as("the thread that ran the task").isSameAs(poolThread.get());
        } finally {
            pool.shutdownNow();
        }
    }

    /** What {@link #shutDownOnceThePoolsWorkerRanOutOfInputs} saw. */
    record RanOut(AtomicInteger callerAttempts, VirtualTimeSource clock, List<Batch.Result<String>> results,
            int inPlace, boolean callerLeftInterrupted) {
        Batch.Result<String> inPlaceResult() {
            return results.get(inPlace);
        }

        Batch.Result<String> poolsResult() {
            return results.get(1 - inPlace);
        }

        String poolsAnswer() {
            return "answer " + (1 - inPlace);
        }
    }

    /**
     * Two inputs, one worker on a pool's one thread (CallerRunsPolicy, no queue), the other in place on the
     * caller's, its input failing and retried (5 attempts, 100 ms apart): {@code shutdownNow()} ({@code now})
     * or {@code shutdown()} comes once the worker on the pool answered its input and found none left, while
     * the input run in place waits before its attempt 2, which goes on (unless interrupted) once the pool
     * terminated after {@code shutdownNow()}, at once after {@code shutdown()}.
     */
    private static RanOut shutDownOnceThePoolsWorkerRanOutOfInputs(boolean now) throws InterruptedException {
        CountDownLatch inPlaceStarted = new CountDownLatch(1);
        CountDownLatch answered = new CountDownLatch(1);
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        VirtualTimeSource clock = new VirtualTimeSource();
        ThreadPoolExecutor pool = ParallelTest.oneThreadThenCallerRuns(new CountDownLatch(1));
        Thread caller = Thread.currentThread();
        AtomicReference<Thread> poolThread = new AtomicReference<>();
        AtomicReference<String> inPlaceInput = new AtomicReference<>();
        AtomicInteger callerAttempts = new AtomicInteger();
        ParallelTest.InterruptibleModel model = Rebound.wrap(ParallelTest.InterruptibleModel.class,
                (ParallelTest.InterruptibleModel) q -> {
            if (Thread.currentThread() != caller) { // the pool's worker: answers once the other input started
                poolThread.set(Thread.currentThread());
                inPlaceStarted.await();
                answered.countDown();
                return "answer " + q;
            }
            inPlaceInput.set(q);
            inPlaceStarted.countDown();
            callerAttempts.incrementAndGet();
            throw new IOException("busy");
        }).withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(new Fakes.WaitsUntil(waiting, released, clock))
                        .logging(false).build()).build();
        Thread stopper = new Thread(() -> {
            try {
                waiting.await(); // the input run in place waits to retry
                answered.await();
                // the pool's thread waits again only once its worker found no input left
                ParallelTest.spinUntil(() -> poolThread.get().getState() == Thread.State.WAITING
                        || poolThread.get().getState() == Thread.State.TIMED_WAITING);
                if (now) {
                    pool.shutdownNow();
                    pool.awaitTermination(10, TimeUnit.SECONDS); // what it made the pool's thread do is done
                } else {
                    pool.shutdown(); // interrupts no thread that runs a task
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                released.countDown();
            }
        });
        stopper.start();

        List<Batch.Result<String>> results = Batch.map(pool, List.of("0", "1"), 2, model::answer);
        stopper.join();

        boolean callerLeftInterrupted = Thread.interrupted();
        return new RanOut(callerAttempts, clock, results, Integer.parseInt(inPlaceInput.get()), callerLeftInterrupted);
    }
}
