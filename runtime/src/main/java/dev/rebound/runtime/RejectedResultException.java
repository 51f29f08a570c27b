package dev.rebound.runtime;

/**
 * Every attempt of a call returned a result that a result predicate rejected
 * ({@link RetryPolicy.Builder#retryOnResult}, {@code @Retry(onResult = ...)},
 * {@code @Fallback(onResult = ...)}), and no alternative returned an accepted one. The caller gets
 * this instead of a result the policy said is a failure; {@link #result()} is the last rejected
 * result, for callers that would rather use it than nothing (a truncated answer is still an answer).
 *
 * <p>Its message names the method, the target that returned the last result and the predicate's
 * class, never the result itself (it may hold a prompt's answer). Failures that happened along the
 * way (an alternative that threw) are attached as suppressed exceptions.
 */
public final class RejectedResultException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String method;
    private final String target;
    private final transient Object result;
    private final boolean sendsToFallbacks;

    /**
     * @param method the resilient method, as {@code ChatModel.chat(ChatRequest)}
     * @param target simple class name of the target that returned {@code result}
     * @param predicate the name of the predicate that rejected it (its class's simple name)
     * @param result the last rejected result (may be null)
     */
    public RejectedResultException(String method, String target, String predicate, Object result) {
        this(method, target, predicate, result, false);
    }

    /**
     * @param sendsToFallbacks true when a fallback predicate ({@code @Fallback(onResult = ...)})
     *     rejected the result: it is not retried, the call goes to the alternatives
     */
    public RejectedResultException(String method, String target, String predicate, Object result,
            boolean sendsToFallbacks) {
        super(method + ": every attempt returned a rejected result (the last from " + target + ", rejected by "
                + predicate + ")");
        this.method = method;
        this.target = target;
        this.result = result;
        this.sendsToFallbacks = sendsToFallbacks;
    }

    /** Whether a fallback predicate rejected the result (no retry); else a retry predicate did. */
    public boolean sendsToFallbacks() {
        return sendsToFallbacks;
    }

    /** The resilient method, as {@code ChatModel.chat(ChatRequest)}. */
    public String method() {
        return method;
    }

    /** Simple class name of the target that returned the last rejected result. */
    public String target() {
        return target;
    }

    /** The last rejected result, as returned (may be null). */
    public Object result() {
        return result;
    }

    /**
     * The last rejected result as a {@code type}.
     *
     * @throws ClassCastException if it is not one
     */
    public <T> T result(Class<T> type) {
        return type.cast(result);
    }
}
