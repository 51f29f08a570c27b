package dev.rebound.runtime.ratelimit;

import dev.rebound.runtime.internal.RetryAfterHeaders;
import dev.rebound.runtime.internal.SeenHeaders;
import java.util.function.Function;

/**
 * What a provider said is left of its limit, from the {@code x-ratelimit-remaining-requests},
 * {@code x-ratelimit-remaining-tokens}, {@code x-ratelimit-reset-requests} and
 * {@code x-ratelimit-reset-tokens} headers of a response (OpenAI's names; Groq, Mistral, Together and
 * others send the same). Resets are durations ({@code 1s}, {@code 6m0s}, {@code 20ms},
 * {@code 1h2m3.5s}) or plain seconds, read as the retry reads them for its wait. A reset without its count
 * is kept: it still corrects the limiter (the limit is whole again then). Immutable.
 *
 * <p>Handed from the HTTP client that saw the response to the rate limiter of the call, on the calling
 * thread: integrations call {@link #record} after each response, and the limiter takes them after the
 * attempt (a streamed response, which arrives on the HTTP client's thread, is recorded for the call that
 * sent its request: {@code RetryAfterHttpClientBuilder} does it). A limiter takes only what its attempt's own client recorded: headers recorded inside a
 * resilient call nested in the attempt (an embedding client a rate-limited chat method calls) are
 * that call's, and never correct the enclosing call's limiter.
 */
public final class RateLimitHeaders {

    /** A count or reset not given. */
    public static final long UNKNOWN = -1;

    private final long remainingRequests;
    private final long remainingTokens;
    private final long resetRequestsNanos;
    private final long resetTokensNanos;

    /** Counts (or {@link #UNKNOWN}) and resets in nanoseconds (or {@link #UNKNOWN}). */
    public RateLimitHeaders(long remainingRequests, long remainingTokens, long resetRequestsNanos,
            long resetTokensNanos) {
        this.remainingRequests = remainingRequests;
        this.remainingTokens = remainingTokens;
        this.resetRequestsNanos = resetRequestsNanos;
        this.resetTokensNanos = resetTokensNanos;
    }

    /**
     * Reads the four headers through {@code header} (a name to its first value, or null); null when
     * none of them is there or readable. A reset alone is read: a correction all the same.
     */
    public static RateLimitHeaders parse(Function<String, String> header) {
        long rr = count(header.apply("x-ratelimit-remaining-requests"));
        long rt = count(header.apply("x-ratelimit-remaining-tokens"));
        long sr = RetryAfterHeaders.duration(header.apply("x-ratelimit-reset-requests"));
        long st = RetryAfterHeaders.duration(header.apply("x-ratelimit-reset-tokens"));
        if (rr == UNKNOWN && rt == UNKNOWN && sr == UNKNOWN && st == UNKNOWN) {
            return null;
        }
        return new RateLimitHeaders(rr, rt, sr, st);
    }

    /** Records {@code seen} for the call on this thread (null forgets). */
    public static void record(RateLimitHeaders seen) {
        SeenHeaders.record(seen);
    }

    /** Forgets what was recorded on this thread. */
    public static void clear() {
        SeenHeaders.clear();
    }

    /** What was recorded on this thread since the last take or clear, or null; forgets it. */
    public static RateLimitHeaders take() {
        return SeenHeaders.take();
    }

    public long remainingRequests() {
        return remainingRequests;
    }

    public long remainingTokens() {
        return remainingTokens;
    }

    public long resetRequestsNanos() {
        return resetRequestsNanos;
    }

    public long resetTokensNanos() {
        return resetTokensNanos;
    }

    static long count(String v) {
        if (v == null) {
            return UNKNOWN;
        }
        try {
            long n = Long.parseLong(v.trim());
            return n < 0 ? UNKNOWN : n;
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }

    @Override
    public String toString() {
        return "RateLimitHeaders[remainingRequests=" + remainingRequests + ", remainingTokens=" + remainingTokens
                + ", resetRequestsNanos=" + resetRequestsNanos + ", resetTokensNanos=" + resetTokensNanos + "]";
    }
}
