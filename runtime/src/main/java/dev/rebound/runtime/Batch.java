package dev.rebound.runtime;

import dev.rebound.runtime.internal.Branches;
import dev.rebound.runtime.internal.chain.Chains;
import dev.rebound.runtime.rules.Rules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a list of inputs through one call with bounded concurrency and per-input isolation, as
 * LangChain's {@code batch} should: every input is its own call, with its own attempts, waits and
 * fallbacks, so one input's failure never fails, delays or retries another by itself. What the inputs'
 * calls share still joins them, as it joins any callers of one method: a circuit breaker that one
 * input's failures open refuses the next inputs' calls, and a retry budget or a rate limit spent by some
 * inputs is spent for all. Results come back in input order, each a value or that input's own failure.
 * An asynchronous call's input ends when its future does ({@link #map(Executor, List, int, Call)}).
 *
 * <pre>{@code
 * List<Batch.Result<String>> answers = Batch.map(questions, 4, resilientAssistant::answer);
 * for (Batch.Result<String> r : answers) {
 *     System.out.println(r.isSuccess() ? r.value() : "failed: " + r.failure().getClass().getSimpleName());
 * }
 * }</pre>
 */
public final class Batch {

    private Batch() {
    }

    /** One input's call: may throw whatever it declares. */
    @FunctionalInterface
    public interface Call<I, O> {
        /**
         * The call for one input.
         *
         * @throws Exception whatever the call declares: it becomes that input's failure
         */
        O apply(I input) throws Exception;
    }

    /** As {@link #map(Executor, List, int, Call)} on Rebound's shared daemon threads. */
    public static <I, O> List<Result<O>> map(List<? extends I> inputs, int maxConcurrency,
            Call<? super I, ? extends O> call) {
        return map(Branches.defaultExecutor(), inputs, maxConcurrency, call);
    }

    /**
     * Calls {@code call} once per input, at most {@code maxConcurrency} at a time, and waits for all.
     *
     * <p>If {@code executor} is an {@link java.util.concurrent.ExecutorService} shut down with
     * {@code shutdownNow()} during the run, the batch ends promptly: inputs not yet started and inputs
     * whose call failed after the interrupt (a Rebound retry stops waiting) are reported as
     * {@linkplain Result#isCancelled() cancelled}, never as successes, also when it comes while an input's
     * timed-out attempt still has its timer's interrupt pending. A plain {@code shutdown()} lets the batch
     * finish (a timed-out attempt is retried), unless it comes just then, between the moment an input's
     * attempt timed out and that attempt's end: the thread cannot tell it from {@code shutdownNow()}. The
     * race left the other way: a {@code shutdownNow()} that comes just then after a plain {@code shutdown()}
     * made before that attempt's time came is taken back with the timer's interrupt, and the batch goes on
     * as after the plain {@code shutdown()}. A worker the executor runs in place, on the caller's thread
     * (a saturated pool's {@code CallerRunsPolicy}), is not reached by {@code shutdownNow()}: it is stopped
     * as soon as a worker on the pool finds the pool stopped, interrupted (its input, if its call then fails,
     * reported cancelled), the stop's interrupt taken back once it ends (the caller's own kept, as
     * {@link Parallel#invokeAll(Executor, List)} says, and the batch then ends as for a caller interrupted
     * while waiting). With no worker of the batch on the pool by then (the others ran out of
     * inputs, or none got a thread there), or on another executor, the worker run in place goes on: with no
     * thread of the batch's for {@code shutdownNow()} to interrupt, the batch cannot tell it from
     * {@code shutdown()}. An interrupt an input's call leaves set on its thread (its
     * own business) is cleared before the worker takes the next input, as a pool clears a task's before
     * the next task: it neither cancels nor fails another input. Not when the worker runs on the caller's own thread
     * (an executor that runs tasks in place, a saturated pool's {@code CallerRunsPolicy}): there an
     * interrupt left set cannot be told from the caller's own, and stops the batch as the caller's does.
     *
     * <p>An input whose call returns a {@link CompletionStage} (an asynchronous method, a Rebound
     * asynchronous call's {@code CompletableFuture}) holds its place among the {@code maxConcurrency}
     * until that stage has completed, and its outcome is the stage's: a success whose {@link Result#value()}
     * is the completed stage, or a failure, the stage's own exception (not the {@code CompletionException}
     * or {@code ExecutionException} the JDK wraps it in), as a synchronous call's. A failure a call throws
     * is taken out of those wrappers too ({@code q -> model.chatAsync(q).get()} fails with the call's own
     * exception). When the batch is cancelled (the caller interrupted, {@code shutdownNow()}) a stage that is
     * a Rebound asynchronous call's own future is cancelled, which stops that call's retries; any other
     * stage (one a cache or another request may share) is left alone and only no longer waited on, and
     * the batch does not wait for it to complete. A Rebound streamed call an input started (a wrapped
     * {@code StreamingChatModel}'s) is cancelled with the input when {@code shutdownNow()} or the caller's
     * interrupt stops the input (it is then reported cancelled); the stream of an input that had its
     * outcome is its caller's and goes on, unless this batch runs inside a {@link Parallel} branch or
     * another batch's input that is cancelled later: it is cancelled with that branch. An input's call
     * that waits on a future itself ({@code get()}) should cancel it when interrupted, as a
     * {@link Parallel} branch does: interrupting {@code get()} does not cancel the future.
     *
     * @return one result per input, in input order
     * @throws IllegalArgumentException if {@code maxConcurrency} is below 1
     *     ({@code "maxConcurrency = 0 is below 1"})
     * @throws NullPointerException naming the argument ({@code "inputs"}) if one is null
     * @throws java.util.concurrent.CompletionException with the InterruptedException if the caller is
     *     interrupted while waiting: the calls still running are cancelled (interrupted), no input is
     *     called after, and this method throws once those calls have ended (a call that ignores its
     *     interrupt holds the caller until it ends), the flag kept
     * @throws VirtualMachineError if an input's call threw one, or its stage or the wait on it did (a
     *     {@code StackOverflowError} from {@code toCompletableFuture()}, an {@code OutOfMemoryError} from
     *     {@code get()}), after the others finished; any other throwable of an input's is that input's
     *     failure. A throwable that stops a worker outside any input's call (Rebound's own steps) is thrown
     *     as it is, after the other workers finished, never reported as inputs cancelled
     * @throws java.util.concurrent.RejectedExecutionException the executor's own, if it rejects the first
     *     worker: no input has run. A later worker it rejects (a saturated pool with an {@code AbortPolicy})
     *     is not an error: the batch runs with the workers accepted, fewer than {@code maxConcurrency} at a
     *     time, at least one, and every input is still answered
     */
    public static <I, O> List<Result<O>> map(Executor executor, List<? extends I> inputs, int maxConcurrency,
            Call<? super I, ? extends O> call) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(call, "call");
        Rules.require(Rules.atLeastOne("maxConcurrency", maxConcurrency));
        int n = inputs.size();
        @SuppressWarnings("unchecked")
        Result<O>[] results = new Result[n];
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(n, maxConcurrency);
        CountDownLatch finished = new CountDownLatch(workers);
        List<FutureTask<Void>> tasks = new ArrayList<>(workers);
        Branches.Run run = Branches.run(executor);
        Thread caller = Thread.currentThread();
        AtomicReference<Throwable> broke = new AtomicReference<>();
        for (int w = 0; w < workers; w++) {
            FutureTask<Void> task = new FutureTask<>(() -> {
                try {
                    Branches.Branch branch = run.enter();
                    try {
                        while (!stopped(run, executor, caller)) { // else the inputs left stay unset: cancelled
                            int i = next.getAndIncrement();
                            if (i >= n) {
                                break;
                            }
                            results[i] = answer(call, inputs, i, branch, run, executor, caller);
                        }
                    } finally {
                        run.leave(branch);
                    }
                } catch (Throwable outsideAnyInput) { // the worker's own steps: thrown to the caller, never lost
                    Throwable first = broke.compareAndExchange(null, outsideAnyInput);
                    if (first != null && first != outsideAnyInput) {
                        first.addSuppressed(outsideAnyInput);
                    }
                } finally {
                    finished.countDown();
                }
            }, null);
            tasks.add(task);
        }
        try {
            int accepted = 0;
            for (FutureTask<Void> task : tasks) {
                try {
                    executor.execute(task);
                    accepted++;
                } catch (RejectedExecutionException rejected) {
                    if (accepted == 0) {
                        throw rejected;
                    }
                    finished.countDown(); // full or shut down mid-submission: fewer workers take the inputs
                }
            }
            Branches.await(finished, executor);
            if (executor instanceof ExecutorService && ((ExecutorService) executor).isShutdown()) {
                run.cancel(tasks); // the workers ended: the streams of inputs shutdownNow() stopped end too
            }
        } catch (InterruptedException e) {
            run.cancel(tasks);
            throw Branches.interrupted(e);
        } catch (RuntimeException | Error e) {
            run.cancel(tasks);
            throw e;
        } finally {
            run.end(); // e.g. a nested-retry check an input's call left for this caller's stack
        }
        Throwable workerFailure = broke.get();
        if (workerFailure != null) { // a worker stopped outside any input: the inputs it left are not cancelled
            throw Branches.rethrow(workerFailure, List.of());
        }
        for (int i = 0; i < n; i++) {
            if (results[i] == null) {
                results[i] = Result.cancelled(i, null); // never started: the executor stopped first
            } else if (results[i].failure instanceof VirtualMachineError) {
                throw (VirtualMachineError) results[i].failure;
            }
        }
        return Collections.unmodifiableList(Arrays.asList(results));
    }

    /**
     * Whether an input's call that failed with {@code failure} was stopped by the batch's cancel, the
     * caller's interrupt (an executor that runs inputs in place, on the caller's thread) or the executor's
     * {@code shutdownNow()}: its thread is interrupted, or the failure is the InterruptedException that took
     * the flag.
     */
    private static boolean stoppedDuring(Throwable failure, Branches.Run run, Executor executor, Thread caller) {
        if (!Thread.currentThread().isInterrupted() && !(failure instanceof InterruptedException)) {
            return false;
        }
        return run.isCancelled() || Thread.currentThread() == caller || Branches.stoppedByShutdown(executor, failure);
    }

    /**
     * Whether a worker takes no more input: the caller gave up on the batch, or this thread's interrupt
     * is a stop, from {@code shutdownNow()} or, run in place, the caller's own. Any other interrupt left
     * set when an input's call ended is that call's: cleared before the next input, as a pool clears a
     * task's before its next task (checked again once cleared: {@code shutdownNow()} marks the pool
     * stopped before it interrupts).
     */
    private static boolean stopped(Branches.Run run, Executor executor, Thread caller) {
        if (run.isCancelled()) {
            return true;
        }
        if (!Thread.currentThread().isInterrupted()) {
            return false;
        }
        if (Thread.currentThread() == caller) {
            return true;
        }
        if (Branches.stoppedByShutdown(executor, null)) {
            run.stop(); // the worker run in place, which shutdownNow() does not reach, stops too
            return true;
        }
        Thread.interrupted();
        if (run.isCancelled() || executor instanceof ExecutorService && ((ExecutorService) executor).isShutdown()) {
            Thread.currentThread().interrupt(); // it may have been the stop's: kept
            run.stop();
            return true;
        }
        return false;
    }

    /**
     * Input {@code i}'s outcome, never thrown: whatever its call, its stage or the steps around them throw
     * (a VirtualMachineError included, thrown by {@link #map} once the others finished) is this input's
     * failure, and the worker goes on to the next input.
     */
    private static <I, O> Result<O> answer(Call<? super I, ? extends O> call, List<? extends I> inputs, int i,
            Branches.Branch branch, Branches.Run run, Executor executor, Thread caller) {
        try {
            Result<O> r = callOne(call, inputs.get(i), i);
            if (!r.isSuccess() && stoppedDuring(r.failure, run, executor, caller)) {
                // the stop's flag, which the input's InterruptedException may have taken, is kept:
                // the worker stops, and the caller running it in place sees its interrupt
                Thread.currentThread().interrupt();
                run.stop(); // a stop on the pool stops the worker run in place, on the caller's thread, too
                return Result.cancelled(i, r.failure); // its streams stay the run's: cancelled with it
            }
            branch.handOver(); // the input has its outcome: its call's streams are its caller's
            return r;
        } catch (Throwable t) { // e.g. the inputs list's get(i) threw
            return new Result<>(i, null, t);
        }
    }

    private static <I, O> Result<O> callOne(Call<? super I, ? extends O> call, I input, int index) {
        O value;
        try {
            value = call.apply(input);
        } catch (Throwable t) {
            return new Result<>(index, null, Branches.failure(t));
        }
        Throwable failed;
        try {
            failed = value instanceof CompletionStage<?> stage ? outcome(stage) : null;
        } catch (Throwable broken) { // the stage's own methods threw, or waiting on it did: this input's outcome
            failed = broken;
        }
        return new Result<>(index, failed == null ? value : null, failed);
    }

    /**
     * Holds the input's place among the {@code maxConcurrency} until the stage its call returned has
     * completed: its failure (taken out of the JDK's wrapper), or null when it succeeded. Interrupted
     * (the batch cancelled, the executor shut down): cancels the stage if it is a Rebound call's own
     * future, which stops its retries, else stops waiting on it; keeps the flag for the worker to read.
     */
    private static Throwable outcome(CompletionStage<?> stage) {
        CompletableFuture<?> f;
        try {
            f = stage.toCompletableFuture();
        } catch (UnsupportedOperationException notAFuture) { // an optional method: followed, not cancellable
            CompletableFuture<Object> followed = new CompletableFuture<>();
            stage.whenComplete((v, t) -> {
                if (t == null) {
                    followed.complete(v);
                } else {
                    followed.completeExceptionally(t);
                }
            });
            f = followed;
        }
        try {
            f.get();
            return null;
        } catch (ExecutionException | CancellationException failed) {
            return Branches.failure(failed);
        } catch (InterruptedException stop) {
            if (Chains.isResilientCall(f)) {
                f.cancel(true); // the input's own Rebound call: its retries stop
            } // else a stage others may hold too (a cache's, a shared request's): only no longer waited on
            Thread.currentThread().interrupt();
            return stop;
        }
    }

    /** One input's outcome: its value, its own failure, or its cancellation. */
    public static final class Result<T> {
        private final int index;
        private final T value;
        private final Throwable failure;
        private final boolean cancelled;

        private Result(int index, T value, Throwable failure) {
            this(index, value, failure, false);
        }

        private Result(int index, T value, Throwable failure, boolean cancelled) {
            this.index = index;
            this.value = value;
            this.failure = failure;
            this.cancelled = cancelled;
        }

        /** A cancelled input: a CancellationException, caused by the call's failure if it had started. */
        static <T> Result<T> cancelled(int index, Throwable callFailure) {
            CancellationException c = new CancellationException("input " + index + (callFailure == null
                    ? " cancelled before it started" : " cancelled while running"));
            if (callFailure != null) {
                c.initCause(callFailure);
            }
            return new Result<>(index, null, c, true);
        }

        /**
         * Whether this input was cancelled: the executor was shut down ({@code shutdownNow()}) before it
         * started, or while it ran and its call then failed. {@link #failure()} is then a
         * CancellationException. Nothing else cancels an input: an interrupt another input's call left
         * on the thread does not.
         */
        public boolean isCancelled() {
            return cancelled;
        }

        /** The position of the input in the batch. */
        public int index() {
            return index;
        }

        /** Whether this input's call returned a value ({@link #value()}), else {@link #failure()} is set. */
        public boolean isSuccess() {
            return failure == null;
        }

        /**
         * The value.
         *
         * @throws NoSuchElementException if this input failed (its failure is the cause)
         */
        public T value() {
            if (failure != null) {
                NoSuchElementException e = new NoSuchElementException("input " + index + " failed with "
                        + failure.getClass().getName());
                e.initCause(failure);
                throw e;
            }
            return value;
        }

        /** The failure of this input, or null. */
        public Throwable failure() {
            return failure;
        }

        /** Log-safe: index and outcome class, never the value or the failure's message. */
        @Override
        public String toString() {
            if (cancelled) {
                return "Result[" + index + " cancelled]";
            }
            return "Result[" + index + (failure == null ? " ok]" : " failed: " + failure.getClass().getName() + "]");
        }
    }
}
