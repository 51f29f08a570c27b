package dev.rebound.runtime;

import dev.rebound.runtime.internal.Branches;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs branches at the same time, as LangChain's {@code RunnableParallel}: two retrievers for one
 * question, or one question to two models. Each branch keeps its own policy (wrap it, or annotate
 * what it calls); the first branch to fail for good fails the whole: the branches still running are
 * cancelled (interrupted: a Rebound retry stops waiting and tries nothing more) and waited for, and those
 * not started yet never start. The call returns only once every branch it started has ended, so nothing
 * of it goes on after it, as with a structured task scope.
 *
 * <pre>{@code
 * List<List<Content>> contexts = Parallel.invokeAll(
 *     () -> docsRetriever.retrieve(query),
 *     () -> faqRetriever.retrieve(query));
 * }</pre>
 */
public final class Parallel {

    private Parallel() {
    }

    /** As {@link #invokeAll(Executor, List)} on Rebound's shared daemon threads. */
    public static <T> List<T> invokeAll(List<? extends Callable<? extends T>> branches) {
        return invokeAll(Branches.defaultExecutor(), branches);
    }

    /**
     * As {@link #invokeAll(List)}, the branches given as arguments.
     *
     * @throws NullPointerException {@code "branches"} if the array is null, {@code "branches[1]"} if its
     *     second element is
     */
    @SafeVarargs
    public static <T> List<T> invokeAll(Callable<? extends T>... branches) {
        return invokeAll(Arrays.asList(Objects.requireNonNull(branches, "branches")));
    }

    /**
     * Runs every branch on {@code executor} and waits for all of them.
     *
     * <p>When a branch fails for good, the branches still running are interrupted
     * ({@code Future.cancel(true)}) and this method returns once they have ended: a branch that ignores
     * its interrupt holds the caller until it ends. A branch that has not started by then never starts,
     * on an executor that runs branches in place ({@code Runnable::run}, a saturated pool's
     * {@code CallerRunsPolicy}) as on a pool; and the branch such an executor is running in place then, on
     * this method's own thread (its Future not handed back yet), is interrupted as those on the pool are,
     * what it throws then being no failure of its own: when it ends, the stop's interrupt is taken back.
     * The thread's flag is left set if the caller had been interrupted before that branch started, or by
     * someone else during it with the flag still set when the stop came (not heard yet, or heard and set
     * again, as a Rebound retry does): the call then ends as for a caller interrupted while waiting (see
     * below). A flag cannot say who set it: an interrupt someone else sends the caller once the stop came,
     * while that branch ends, is one flag with the stop's and goes with it, and so does one that came as one
     * flag with an interrupt Rebound sent inside that branch (an attempt's timeout, a nested run's stop).
     * A branch that waits on a future (a Rebound asynchronous
     * call's) should cancel it when interrupted: interrupting {@code get()} does not cancel the future. A
     * Rebound streamed call a branch starts (a wrapped {@code StreamingChatModel}'s, which runs on no thread
     * of the branch's) is cancelled with the branch when this method cancels that branch (it was still
     * running, or failed once the whole had failed): its pending wait and its attempt before the first
     * token end, and its handler gets a CancellationException as {@code onError}. The streams of a branch
     * that had returned, or had failed before the whole failed, are left to run: they are its caller's, as
     * a future it returned would be. When this method is called inside a branch of another
     * {@code Parallel} or an input of a {@code Batch}, that caller is the enclosing branch: the streams it
     * was handed are cancelled with it, as those it started itself, so none outlives the outer call.
     *
     * @return each branch's result, in branch order
     * @throws RuntimeException the first branch failure to complete, as it is, once taken out of the
     *     ExecutionException or CompletionException of a future it was waiting on (a checked exception
     *     wrapped in a {@link java.util.concurrent.CompletionException} whose message names its class:
     *     {@code "a branch failed with java.io.IOException"}), the failures of the other branches that had
     *     already failed by then added to it as {@linkplain Throwable#getSuppressed() suppressed}, in
     *     branch order, each instance once (not what the cancelled branches threw on their interrupt).
     *     If the caller is interrupted while waiting, every branch is cancelled and, once those running
     *     have ended, a CompletionException with the InterruptedException is thrown, the interrupt flag kept.
     * @throws java.util.concurrent.CancellationException {@code "the executor was shut down before every
     *     branch ran"} if {@code executor} is an ExecutorService shut down with {@code shutdownNow()}
     *     before every branch ran (instead of waiting for ever) or while one ran: a branch on its threads
     *     that then fails on the interrupt (a Rebound retry stops waiting) is cancelled, its failure the
     *     cause. A branch the executor runs in place, on this method's own thread (a saturated pool's
     *     {@code CallerRunsPolicy}), is not reached by {@code shutdownNow()}: it is stopped as soon as a
     *     branch on the pool finds the pool stopped (fails on the interrupt, or returns with its thread still
     *     interrupted: no cause then), as {@code Batch} stops its worker run in place, interrupted as for a
     *     branch that failed for good (above: the stop's interrupt taken back, the caller's own kept). With
     *     no branch of the call on the pool by then (the others had ended, or none got a thread there), or
     *     on another executor, the branch run in place goes on, every attempt made: with no thread of the
     *     call's for {@code shutdownNow()} to interrupt, the call cannot tell it from {@code shutdown()}, and
     *     returns every value if every branch ran. A branch on the pool that ends leaving an interrupt of
     *     its own set while someone calls a plain {@code shutdown()} is taken for one {@code shutdownNow()}
     *     reached: the thread cannot tell the two apart
     * @throws java.util.concurrent.RejectedExecutionException the executor's own, if it rejects a branch
     *     (a saturated pool with an {@code AbortPolicy}, one shut down) before any branch had failed for
     *     good: the branches it had accepted are cancelled as for a failure and waited for (those not
     *     started never start), the failures of those that had failed on their own by then added as
     *     suppressed. If a branch had failed for good before the rejection, the whole had failed already
     *     (no branch would have started after it): the caller gets that failure, as above, the rejection
     *     added to it as suppressed, last. Give an executor that queues or runs in place
     *     ({@code CallerRunsPolicy}) for every branch to run.
     * @throws NullPointerException naming the argument ({@code "executor"}, {@code "branches"}) or the
     *     branch ({@code "branches[1]"}) that is null
     */
    public static <T> List<T> invokeAll(Executor executor, List<? extends Callable<? extends T>> branches) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(branches, "branches");
        for (int i = 0; i < branches.size(); i++) {
            Objects.requireNonNull(branches.get(i), "branches[" + i + "]");
        }
        ExecutorCompletionService<T> done = new ExecutorCompletionService<>(executor);
        List<Future<T>> futures = new ArrayList<>(branches.size());
        Branches.Run run = Branches.run(executor);
        RejectedExecutionException rejected = null;
        try {
            for (Callable<? extends T> branch : branches) {
                Callable<T> task = () -> {
                    Branches.Branch self = run.enter();
                    try {
                        if (run.isCancelled()) {
                            return null; // another branch failed for good before this one started: it never will
                        }
                        T value = branch.call();
                        if (self.stoppedInPlace()) {
                            return value; // stopped, its value is no one's, its streams the run's to end
                        }
                        if (Branches.stoppedByShutdown(executor, null) && !run.isCancelled()
                                && run.stopBranchInPlace()) {
                            // on the pool, shutdownNow() reached it, deaf to it; the branch run in place, which
                            // it does not reach, is stopped as if this one had failed on the interrupt: the
                            // whole has not every value. Thrown as it is below, the run being cancelled.
                            throw Branches.shutDown(null);
                        }
                        self.handOver(); // the streams it started are its caller's, as its value is
                        return value;
                    } catch (Throwable t) {
                        if (self.stoppedInPlace()) {
                            // run in place and stopped as a pool's branch is cancelled: what it threw is
                            // what the stop caused, no one's to hear; the branch that failed for good fails the whole
                            return null;
                        }
                        boolean shutDown = !run.isCancelled() && Branches.stoppedByShutdown(executor, t);
                        if (!run.isCancelled() && !shutDown) {
                            self.handOver(); // failed on its own, not cancelled: its streams are not the run's to end
                        }
                        run.stop(); // the whole has failed: branches not started yet never start
                        if (shutDown) {
                            throw Branches.shutDown(t); // shutdownNow() interrupted it: cancelled, as a branch never run
                        }
                        throw t;
                    } finally {
                        run.leave(self);
                    }
                };
                try {
                    futures.add(done.submit(task));
                } catch (RejectedExecutionException e) {
                    if (!run.isCancelled()) { // no branch had failed: the rejection fails the whole
                        run.cancel(futures);
                        throw Branches.rethrow(e, failuresBefore(futures));
                    }
                    rejected = e; // a branch had failed for good first: its failure is the whole's, waited for below
                    break;
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                Future<T> finished = Branches.take(done, executor);
                try {
                    finished.get();
                } catch (ExecutionException failed) {
                    run.cancel(futures);
                    List<Throwable> others = failuresBefore(futures);
                    if (rejected != null) {
                        others.add(rejected);
                    }
                    throw Branches.rethrow(failed.getCause(), others);
                }
            }
            if (rejected != null) { // not reached: the branch that stopped the run failed
                throw rejected;
            }
            List<T> results = new ArrayList<>(futures.size());
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            run.cancel(futures);
            throw Branches.interrupted(e);
        } catch (ExecutionException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        } catch (RuntimeException | Error e) {
            run.cancel(futures); // e.g. the executor terminated before every branch ran
            throw e;
        } finally {
            run.end(); // e.g. a nested-retry check a branch left for this caller's stack
        }
    }

    /**
     * The failures of the branches that had failed before the run was cancelled, in branch order: not
     * those of the branches it cancelled (their futures report the cancel), so not what the cancel caused.
     */
    private static List<Throwable> failuresBefore(List<? extends Future<?>> futures) throws InterruptedException {
        List<Throwable> failures = new ArrayList<>();
        for (Future<?> f : futures) {
            if (!f.isCancelled()) {
                try {
                    f.get();
                } catch (ExecutionException failed) {
                    failures.add(failed.getCause());
                }
            }
        }
        return failures;
    }
}
