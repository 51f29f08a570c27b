package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.RejectedResultException;
import java.util.function.Predicate;

/**
 * Just above {@link Invocation}: turns a result that a predicate rejects into the attempt's failure,
 * a {@link RejectedResultException} carrying it, so that retry, breaker and fallback treat it as one.
 * The retry predicate's rejection is retried; the fallback predicate's goes to the alternatives.
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
        if (fallbackOn != null && fallbackOn.test(result)) {
            throw new RejectedResultException(method, call.target, nameOf(fallbackOn), result, true);
        }
        if (retryOn != null && retryOn.test(result)) {
            throw new RejectedResultException(method, call.target, nameOf(retryOn), result, false);
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
