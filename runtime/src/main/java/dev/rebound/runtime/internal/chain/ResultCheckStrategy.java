package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.RejectedResultException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Just above {@link Invocation}: turns a result that a predicate rejects into the attempt's failure,
 * a {@link RejectedResultException} carrying it, so that retry, breaker and fallback treat it as one.
 * The retry predicate's rejection is retried; the fallback predicate's goes to the alternatives.
 * Asynchronously it judges the value the attempt's future completes with (streams are refused by the
 * rule set: their answer arrives after the chain's part).
 */
final class ResultCheckStrategy implements Strategy {

    private final String method;
    /** Rejects a result to retry; null for none. */
    private final Predicate<Object> retryOn;
    /** Rejects a result to go to the fallbacks at once; null for none. */
    private final Predicate<Object> fallbackOn;
    private final Strategy next;

    ResultCheckStrategy(String method, Predicate<Object> retryOn, Predicate<Object> fallbackOn, Strategy next) {
        this.method = method;
        this.retryOn = retryOn;
        this.fallbackOn = fallbackOn;
        this.next = next;
    }

    @Override
    public Object apply(Execution call) throws Throwable {
        Object result = next.apply(call);
        if (result == Execution.FAILED) {
            return result;
        }
        try {
            return check(call.target, result);
        } catch (Throwable rejected) {
            call.judged = rejected; // a rejection, or the predicate's own failure, of an answer produced
            call.judgedResult = result;
            return call.failed(rejected);
        }
    }

    /**
     * As {@link #apply}, on the attempt's future. Cancelling the returned future (the attempt timeout
     * above it) cancels the attempt's own, so the target hears of it.
     */
    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        // the attempt's target, read now: an outcome that comes after a timeout ended the attempt finds
        // the call moved on (or over, its state forgotten)
        String target = call.target;
        CompletableFuture<Object> attempt = next.applyAsync(call);
        CompletableFuture<Object> out = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                attempt.cancel(mayInterruptIfRunning);
                return cancelled;
            }
        };
        attempt.whenComplete((result, t) -> {
            if (t != null) {
                out.completeExceptionally(Async.failure(t));
                return;
            }
            Object checked;
            try {
                checked = check(target, result);
            } catch (Throwable rejected) {
                out.completeExceptionally(rejected);
                return;
            }
            out.complete(checked);
        });
        return out;
    }

    /** {@code result}, or the RejectedResultException a predicate's rejection becomes. */
    private Object check(String target, Object result) {
        if (fallbackOn != null && fallbackOn.test(result)) {
            throw new RejectedResultException(method, target, nameOf(fallbackOn), result, true);
        }
        if (retryOn != null && retryOn.test(result)) {
            throw new RejectedResultException(method, target, nameOf(retryOn), result, false);
        }
        return result;
    }

    @Override
    public Reason refusal() {
        return next.refusal();
    }

    /** The predicate's class's simple name, or "a lambda". */
    private static String nameOf(Predicate<?> p) {
        String n = p.getClass().getSimpleName();
        return n.isEmpty() || n.contains("$$Lambda") || n.contains("/") ? "a lambda" : n;
    }
}
