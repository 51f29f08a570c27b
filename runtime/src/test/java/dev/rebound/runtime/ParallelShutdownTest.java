package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Parallel} on an executor shut down while its branches run: on the pool's threads, which
 * {@code shutdownNow()} interrupts, and in place on the caller's thread (a saturated pool's
 * {@code CallerRunsPolicy}), which it does not reach. Each case as {@code Batch} behaves in it
 * ({@link BatchShutdownTest}).
 */
class ParallelShutdownTest {

    /** A model retried 5 times, 100 ms after the first failure, doubling, on {@code time}. */
    private static ParallelTest.InterruptibleModel retried(ParallelTest.InterruptibleModel target, TimeSource time) {
        return Rebound.wrap(ParallelTest.InterruptibleModel.class, target)
                .withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
    }

    /**
     * Branch 0 on the pool's one thread waits to retry, branch 1 has returned: {@code shutdownNow()}
     * interrupts branch 0, whose retry stops waiting and tries nothing more, and the call ends with a
     * CancellationException whose cause is the very failure branch 0 threw, nothing attached.
     */
    @Test
    void shutdownNowWhileABranchWaitsOnThePoolCancelsTheCallWithThatBranchsFailureAsCause() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch siblingEnded = new CountDownLatch(1);
        ThreadPoolExecutor pool = ParallelTest.oneThreadThenCallerRuns(new CountDownLatch(1));
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<IOException> lastFailure = new AtomicReference<>();
        ParallelTest.InterruptibleModel onThePool = retried(q -> {
            attempts.incrementAndGet();
            IOException busy = new IOException("busy");
            lastFailure.set(busy);
            throw busy;
        }, new Fakes.WaitsUntil(waiting, new CountDownLatch(1), new VirtualTimeSource())); // until interrupted
        Thread stopper = shutsDownOnce(pool, true, new CountDownLatch(1), waiting, siblingEnded);

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(pool, List.<Callable<String>>of(
                () -> onThePool.answer("0"),
                () -> {
                    siblingEnded.countDown(); // run in place, while branch 0 has the pool's thread
                    return "1";
                })));
        stopper.join();

        boolean callerLeftInterrupted = Thread.interrupted();
        assertThat(thrown).isInstanceOf(CancellationException.class)
                .hasMessage("the executor was shut down before every branch ran")
                .hasCause(lastFailure.get());
        assertThat(thrown.getSuppressed()).isEmpty();
        assertThat(attempts).as("branch 0's attempts: nothing more once interrupted").hasValue(1);
        assertThat(callerLeftInterrupted).as("the caller's thread, never interrupted by anyone").isFalse();
    }

    /**
     * Branch 0 on the pool's one thread, branch 1 in place on the caller's (CallerRunsPolicy):
     * {@code shutdownNow()} comes while branch 1 waits to retry. It interrupts only the pool's thread;
     * branch 0 fails on it, and the run stops branch 1 as {@code shutdownNow()} stops a branch on the pool:
     * its wait ends and it tries nothing more. The call ends with a CancellationException whose cause is the
     * failure of the branch {@code shutdownNow()} interrupted, and the caller's thread is not left interrupted.
     */
    @Test
    void shutdownNowStopsTheBranchRunInPlaceOnTheCallersThreadToo() {
        AtomicReference<InterruptedException> poolBranchFailure = new AtomicReference<>();

        InPlaceBeside call = inPlaceBeside((pool, waiting) -> shutsDownNowOnceWaiting(pool, waiting, poolBranchFailure));

        call.assertStoppedAfterItsFirstAttempt();
        assertThat(call.thrown()).hasCause(poolBranchFailure.get());
    }

    /**
     * As above, but the branch on the pool returns all the same once {@code shutdownNow()} interrupted it
     * (a blocking read deaf to interrupts), its thread's flag still set: it found the pool stopped, and the
     * run stops the branch run in place as {@code Batch} stops its worker run in place then
     * ({@link BatchShutdownTest#aWorkerOnThePoolThatAnswersAfterShutdownNowStillStopsTheWorkerRunInPlace}):
     * its wait ends and it tries nothing more. The call, which has not every branch's value, ends with the
     * CancellationException, no branch's failure its cause (none failed on {@code shutdownNow()}'s interrupt).
     * The limit Parallel's Javadoc states: a plain {@code shutdown()} ({@code now} false) while the branch
     * leaves an interrupt of its own set on its thread cannot be told from it, and does the same.
     */
    @ParameterizedTest(name = "shutdownNow: {0}")
    @ValueSource(booleans = {true, false})
    void aBranchOnThePoolThatReturnsAfterShutdownNowStillStopsTheBranchRunInPlace(boolean now) {
        AtomicReference<Boolean> poolBranchInterrupted = new AtomicReference<>();

        InPlaceBeside call = inPlaceBeside((pool, waiting) -> () -> {
            waiting.await();
            if (now) {
                pool.shutdownNow();
            } else {
                pool.shutdown();
                Thread.currentThread().interrupt(); // the branch's own, left set
            }
            poolBranchInterrupted.set(Thread.currentThread().isInterrupted());
            return "read all the same"; // deaf to the interrupt, the flag left set
        });

        assertThat(poolBranchInterrupted.get()).as("the branch on the pool's thread, interrupted").isTrue();
        call.assertStoppedAfterItsFirstAttempt();
        assertThat(call.thrown()).hasNoCause();
    }

    /** What a call of a branch on the pool and one run in place ({@link #inPlaceBeside}) ended with. */
    private record InPlaceBeside(Throwable thrown, int callerAttempts, List<Duration> sleeps,
            boolean callerLeftInterrupted) {
        /**
         * The branch run in place was stopped while it waited to retry: it tried nothing more, slept nothing,
         * the call ended with the CancellationException, nothing of that branch's attached, and the caller's
         * thread was not left interrupted.
         */
        void assertStoppedAfterItsFirstAttempt() {
            assertThat(callerAttempts).as("attempts on the caller's thread: nothing more once stopped").isEqualTo(1);
            assertThat(sleeps).as("the wait before its attempt 2 ended, not slept").isEmpty();
            assertThat(thrown).isInstanceOf(CancellationException.class)
                    .hasMessage("the executor was shut down before every branch ran");
            assertThat(thrown.getSuppressed()).as("not what the branch run in place threw on its stop").isEmpty();
            assertThat(callerLeftInterrupted).as("the caller's thread, never interrupted by anyone").isFalse();
        }
    }

    /**
     * Branch 0, made by {@code onThePool} from the pool and a latch that opens once branch 1 waits to retry,
     * on the pool's one thread; branch 1 in place on the caller's (CallerRunsPolicy), failing and retried, its
     * wait going on only once branch 0 has ended (its outcome reported to the run).
     */
    private static InPlaceBeside inPlaceBeside(
            BiFunction<ThreadPoolExecutor, CountDownLatch, Callable<String>> onThePool) {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch poolBranchEnded = new CountDownLatch(1);
        VirtualTimeSource clock = new VirtualTimeSource();
        ThreadPoolExecutor pool = ParallelTest.oneThreadThenCallerRuns(poolBranchEnded);
        AtomicInteger callerAttempts = new AtomicInteger();
        ParallelTest.InterruptibleModel inPlace = retried(q -> {
            callerAttempts.incrementAndGet();
            throw new IOException("busy");
        }, new Fakes.WaitsUntil(waiting, poolBranchEnded, clock)); // shut down while it waits to retry

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(pool, List.<Callable<String>>of(
                onThePool.apply(pool, waiting), () -> inPlace.answer("1"))));

        return new InPlaceBeside(thrown, callerAttempts.get(), clock.sleeps(), Thread.interrupted());
    }

    /**
     * No branch runs in place: the one branch, on the pool, returns all the same once {@code shutdownNow()}
     * interrupted it, its thread's flag still set. Nothing of the call was stopped: its value is the call's.
     */
    @Test
    void aBranchOnThePoolThatReturnsAfterShutdownNowIsASuccessWhenNoBranchRunsInPlace() {
        ThreadPoolExecutor pool = ParallelTest.oneThreadThenCallerRuns(new CountDownLatch(1));

        List<String> results = Parallel.invokeAll(pool, List.<Callable<String>>of(() -> {
            pool.shutdownNow();
            return "read all the same " + Thread.currentThread().isInterrupted(); // deaf, the flag left set
        }));

        assertThat(results).containsExactly("read all the same true");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    /**
     * As above, on a caller the application interrupts (from a thread of its own) while its branch runs in
     * place, before {@code shutdownNow()}: the branch has not heard that interrupt when the run stops it, the
     * flag set. The stop finds the flag someone else's and takes nothing of it back: the branch's retry stops
     * after its first attempt, the caller's thread is left interrupted, and the call ends as one whose caller
     * is interrupted: a CompletionException with the InterruptedException.
     */
    @Test
    void aCallerTheApplicationInterruptsDuringItsBranchRunInPlaceKeepsThatInterruptWhenShutdownNowStopsTheBranch() {
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch poolBranchEnded = new CountDownLatch(1);
        ThreadPoolExecutor pool = ParallelTest.oneThreadThenCallerRuns(poolBranchEnded);
        Thread caller = Thread.currentThread();
        AtomicInteger callerAttempts = new AtomicInteger();
        ParallelTest.InterruptibleModel inPlace = retried(q -> {
            callerAttempts.incrementAndGet();
            new Thread(caller::interrupt, "application").start();
            ParallelTest.spinUntil(() -> Thread.currentThread().isInterrupted()); // not heard
            interrupted.countDown(); // shutdownNow() now, and the run stops this branch
            ParallelTest.spinUntil(() -> poolBranchEnded.getCount() == 0); // deaf: the flag stays set
            throw new IOException("busy");
        }, new VirtualTimeSource());

        Throwable thrown = catchThrowable(() -> Parallel.invokeAll(pool, List.<Callable<String>>of(
                shutsDownNowOnceWaiting(pool, interrupted, new AtomicReference<>()),
                () -> inPlace.answer("1"))));

        boolean callerLeftInterrupted = Thread.interrupted();
        assertThat(callerAttempts).as("attempts on the caller's thread: its retry stops on the interrupt").hasValue(1);
        assertThat(thrown).as("the call of a caller interrupted during it").isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(callerLeftInterrupted).as("the application's interrupt, kept").isTrue();
    }

    /**
     * A branch for the pool's thread: once {@code go} opens, it shuts the pool down with {@code shutdownNow()}
     * and waits for that interrupt, which it lets out ({@code failure}).
     */
    private static Callable<String> shutsDownNowOnceWaiting(ThreadPoolExecutor pool, CountDownLatch go,
            AtomicReference<InterruptedException> failure) {
        return () -> {
            go.await();
            pool.shutdownNow();
            try {
                new CountDownLatch(1).await(); // until shutdownNow()'s interrupt
                return "never";
            } catch (InterruptedException e) {
                failure.set(e);
                throw e;
            }
        };
    }

    /**
     * Branch 0 on the pool's one thread has returned, branch 1 runs in place on the caller's and waits to
     * retry (it fails 4 times, then answers) when {@code shutdownNow()} ({@code now}) or a plain
     * {@code shutdown()} comes: no branch of the call is on the pool any more. A plain {@code shutdown()} lets
     * a call finish; for {@code shutdownNow()} this is the limit Parallel's Javadoc and wrap.md state, as for
     * {@code Batch} ({@link BatchShutdownTest#aShutdownAfterThePoolsWorkerRanOutOfInputsLetsTheInputRunInPlaceFinish}):
     * no thread of the call's is there for it to interrupt, and the two cannot be told apart, so branch 1 goes
     * on, every attempt made, and the call returns every branch's value.
     */
    @ParameterizedTest(name = "shutdownNow: {0}")
    @ValueSource(booleans = {true, false})
    void aShutdownOnceNoBranchIsOnThePoolLetsTheBranchRunInPlaceFinish(boolean now) throws Exception {
        CountDownLatch inPlaceStarted = new CountDownLatch(1);
        CountDownLatch poolBranchEnded = new CountDownLatch(1);
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        VirtualTimeSource clock = new VirtualTimeSource();
        ThreadPoolExecutor pool = ParallelTest.oneThreadThenCallerRuns(poolBranchEnded);
        AtomicInteger callerAttempts = new AtomicInteger();
        ParallelTest.InterruptibleModel inPlace = retried(q -> {
            inPlaceStarted.countDown();
            if (callerAttempts.incrementAndGet() < 5) {
                throw new IOException("busy");
            }
            return "answer " + q;
        }, new Fakes.WaitsUntil(waiting, released, clock));
        Thread stopper = shutsDownOnce(pool, now, released, waiting, poolBranchEnded);

        List<String> results = Parallel.invokeAll(pool, List.<Callable<String>>of(
                () -> {
                    inPlaceStarted.await(); // returns while branch 1 runs in place
                    return "pool 0";
                },
                () -> inPlace.answer("1")));
        stopper.join();

        boolean callerLeftInterrupted = Thread.interrupted();
        assertThat(results).containsExactly("pool 0", "answer 1");
        assertThat(callerAttempts).as("attempts on the caller's thread: every one").hasValue(5);
        assertThat(clock.sleeps()).as("the waits between them").containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
        assertThat(callerLeftInterrupted).as("the caller's thread, never interrupted by anyone").isFalse();
    }

    /**
     * The pool's one thread is busy with someone else's task when the call begins, so the call's only
     * branch runs in place on the caller's thread (CallerRunsPolicy), and waits to retry (it fails 4 times,
     * then answers) when {@code shutdownNow()} comes: it interrupts that other task, nothing of the call's.
     * The branch goes on, every attempt made, and the call returns its value: the same limit.
     */
    @Test
    void shutdownNowWhenThePoolWasFullFromTheStartLetsTheBranchRunInPlaceFinish() throws Exception {
        CountDownLatch otherTaskRuns = new CountDownLatch(1);
        CountDownLatch otherTaskEnded = new CountDownLatch(1);
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        VirtualTimeSource clock = new VirtualTimeSource();
        ThreadPoolExecutor pool = ParallelTest.oneThreadThenCallerRuns(otherTaskEnded);
        pool.execute(() -> {
            otherTaskRuns.countDown();
            ParallelTest.awaitIgnoringInterrupts(released); // deaf to shutdownNow(): ends after the call's wait
        });
        otherTaskRuns.await();
        AtomicInteger callerAttempts = new AtomicInteger();
        ParallelTest.InterruptibleModel inPlace = retried(q -> {
            if (callerAttempts.incrementAndGet() < 5) {
                throw new IOException("busy");
            }
            return "answer " + q;
        }, new Fakes.WaitsUntil(waiting, released, clock));
        Thread stopper = shutsDownOnce(pool, true, released, waiting);

        List<String> results = Parallel.invokeAll(pool, List.<Callable<String>>of(() -> inPlace.answer("0")));
        stopper.join();

        boolean callerLeftInterrupted = Thread.interrupted();
        assertThat(results).containsExactly("answer 0");
        assertThat(callerAttempts).as("attempts on the caller's thread: every one").hasValue(5);
        assertThat(clock.sleeps()).hasSize(4);
        assertThat(callerLeftInterrupted).as("the caller's thread, never interrupted by anyone").isFalse();
    }

    /**
     * A thread, started, that shuts {@code pool} down once every latch of {@code before} opened, with
     * {@code shutdownNow()} ({@code now}) or {@code shutdown()}, then opens {@code released}.
     */
    private static Thread shutsDownOnce(ThreadPoolExecutor pool, boolean now, CountDownLatch released,
            CountDownLatch... before) {
        Thread stopper = new Thread(() -> {
            try {
                for (CountDownLatch latch : before) {
                    latch.await();
                }
                if (now) {
                    pool.shutdownNow();
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
        return stopper;
    }
}
