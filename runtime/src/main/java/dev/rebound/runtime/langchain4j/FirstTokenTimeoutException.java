package dev.rebound.runtime.langchain4j;

import dev.langchain4j.exception.TimeoutException;
import java.time.Duration;

/**
 * A streamed answer whose first partial response did not come within the time-to-first-token limit.
 * Nothing of that stream reaches the caller; like langchain4j's other {@link TimeoutException}s it
 * is retried and falls back.
 */
public final class FirstTokenTimeoutException extends TimeoutException {

    private static final long serialVersionUID = 1L;

    private final Duration limit;

    /** @param limit the time-to-first-token limit that passed */
    public FirstTokenTimeoutException(Duration limit) {
        super("no partial response within the time-to-first-token limit of " + limit.toMillis() + " ms");
        this.limit = limit;
    }

    /** The limit that passed. */
    public Duration limit() {
        return limit;
    }
}
