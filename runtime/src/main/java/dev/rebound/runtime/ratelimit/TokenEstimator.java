package dev.rebound.runtime.ratelimit;

/**
 * Estimates the prompt tokens of one call from its arguments, before the call is sent. The answer's
 * tokens are added separately (the request's {@code maxOutputTokens}, or the policy's), and the
 * estimate is reconciled with the response's token usage afterwards, so an estimator needs to be
 * close, not exact.
 *
 * <p>Use langchain4j's estimator for the model when there is one
 * ({@code Langchain4jTokens.estimator(new OpenAiTokenCountEstimator("gpt-4o"))}); otherwise
 * {@link #heuristic()}.
 */
@FunctionalInterface
public interface TokenEstimator {

    /**
     * The prompt tokens in {@code arguments}; never negative. Must not keep or log the arguments.
     *
     * @param arguments the call's arguments, as passed (not copied: do not modify)
     */
    long promptTokens(Object[] arguments);

    /**
     * About one token per 4 characters of text (OpenAI's rule of thumb for English), rounded up,
     * plus 4 tokens per chat message for its role and framing. Reads {@link CharSequence} arguments,
     * langchain4j's {@code ChatRequest} and {@code ChatMessage}s (when langchain4j is on the class
     * path), and iterables and arrays of those; other arguments count 0.
     */
    static TokenEstimator heuristic() {
        return HeuristicEstimator.INSTANCE;
    }
}
