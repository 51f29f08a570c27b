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

/**
 * Runs branches at the same time, as LangChain's {@code RunnableParallel}: two retrievers for one
 * question, or one question to two models. Each branch keeps its own policy (wrap it, or annotate
 * what it calls); the first branch to fail for good fails the whole, and the branches still running
 * are cancelled (interrupted: a Rebound retry stops waiting and tries nothing more).
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
     * @return each branch's result, in branch order
     * @throws RuntimeException the first branch failure to complete, as it is (a checked exception
     *     wrapped in a {@link java.util.concurrent.CompletionException}); the other branches are
     *     cancelled. If the caller is interrupted while waiting, every branch is cancelled and a
     *     CompletionException with the InterruptedException is thrown, the interrupt flag kept.
     * @throws java.util.concurrent.CancellationException if {@code executor} is shut down with
     *     {@code shutdownNow()} before every branch ran (instead of waiting for ever)
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
        try {
            for (Callable<? extends T> branch : branches) {
                futures.add(done.submit(() -> {
                    Branches.Run before = run.enter();
                    try {
                        return branch.call();
                    } finally {
                        run.leave(before);
                    }
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                Future<T> finished = Branches.take(done, executor);
                try {
                    finished.get();
                } catch (ExecutionException failed) {
                    Branches.cancelAll(futures);
                    throw Branches.rethrow(failed.getCause());
                }
            }
            List<T> results = new ArrayList<>(futures.size());
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Branches.cancelAll(futures);
            throw Branches.interrupted(e);
        } catch (ExecutionException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        } catch (RuntimeException | Error e) {
            Branches.cancelAll(futures); // e.g. the executor rejected a branch
            throw e;
        } finally {
            run.end(); // e.g. a nested-retry check a branch left for this caller's stack
        }
    }
}
