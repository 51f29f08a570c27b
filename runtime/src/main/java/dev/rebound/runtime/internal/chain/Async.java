package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.internal.Branches;
import dev.rebound.runtime.internal.Leftovers;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** What the asynchronous chain needs of the JDK's futures: a target's stage as a future, failures unwrapped. */
final class Async {

    private Async() {
    }

    /**
     * The class of the JDK's read-only stage ({@link CompletableFuture#minimalCompletionStage()}): a
     * {@link CompletableFuture} subclass whose {@code isDone}, {@code get}, {@code cancel} and every other
     * method beyond {@link CompletionStage}'s throw {@link UnsupportedOperationException}.
     */
    private static final Class<?> READ_ONLY = CompletableFuture.completedFuture(null).minimalCompletionStage().getClass();

    /**
     * The attempt's result as a future: the target's own {@link CompletableFuture} when it returned
     * one, else one that follows its stage (a {@link CompletionStage} of another kind, or the JDK's
     * read-only one: cancelling the call cannot reach those). A target returning null instead of a stage
     * fails the attempt.
     */
    @SuppressWarnings("unchecked")
    static CompletableFuture<Object> future(Object stage, String target) {
        if (stage instanceof CompletableFuture && stage.getClass() != READ_ONLY) {
            return (CompletableFuture<Object>) stage;
        }
        if (stage == null) {
            return CompletableFuture.failedFuture(new NullPointerException(target + " returned null, not a CompletionStage"));
        }
        CompletableFuture<Object> f = new CompletableFuture<>();
        ((CompletionStage<Object>) stage).whenComplete((r, t) -> {
            if (t == null) {
                f.complete(r);
            } else if (!f.completeExceptionally(failure(t))) {
                Leftovers.forget(); // an attempt given up on (cancelled, timed out): what it left here is nobody's
            }
        });
        return f;
    }

    /**
     * The failure itself: the cause of the CompletionException (or ExecutionException) the
     * JDK wraps it in when it passes through a dependent stage.
     */
    static Throwable failure(Throwable t) {
        return Branches.failure(t);
    }

    /** The failure of a call cancelled before any attempt failed. */
    static CancellationException cancelled() {
        return new CancellationException("the call was cancelled");
    }
}
