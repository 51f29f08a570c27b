package dev.rebound.runtime.langchain4j;

import dev.langchain4j.exception.HttpException;
import dev.rebound.runtime.internal.ServerVerdict;

/**
 * The {@link HttpException} langchain4j's JDK client would throw for a failed response (same status,
 * same body as message), carrying what the response's headers and body said about retrying. Thrown
 * from under langchain4j's client, so its exception mapper turns it into the usual family
 * ({@code RateLimitException}, ...) with this as the cause, where the engine finds it.
 */
final class HintedHttpException extends HttpException implements ServerVerdict.Carrier {

    private static final long serialVersionUID = 1L;

    private final transient ServerVerdict verdict;

    HintedHttpException(int statusCode, String body, ServerVerdict verdict) {
        super(statusCode, body);
        this.verdict = verdict;
    }

    @Override
    public ServerVerdict serverVerdict() {
        return verdict;
    }
}
