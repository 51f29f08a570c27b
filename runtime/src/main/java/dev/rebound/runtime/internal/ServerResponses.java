package dev.rebound.runtime.internal;

import java.time.Clock;
import java.util.function.Function;

/**
 * The {@link ServerVerdict} of a failed HTTP response: its headers ({@link RetryAfterHeaders}) and
 * its JSON error body ({@link ErrorBodies}). A header's wait wins over the body's.
 */
public final class ServerResponses {

    private ServerResponses() {
    }

    /**
     * The verdict of a response with {@code status} (null for a success or one that said nothing).
     *
     * @param header a case-insensitive lookup of the first value of a header, null if absent
     * @param body the response body as text, or null
     * @param clock the wall clock, for dates in headers
     */
    public static ServerVerdict verdict(int status, Function<String, String> header, String body, Clock clock) {
        if (status < 400) {
            return null;
        }
        long wait = RetryAfterHeaders.hintNanos(status, header, clock);
        ErrorBodies.Reading reading = ErrorBodies.read(status, body);
        if (wait <= 0 && reading.waitNanos() > 0) {
            wait = reading.waitNanos();
        }
        return ServerVerdict.of(wait, reading.quota(), RetryAfterHeaders.shouldRetry(header));
    }
}
