package dev.rebound.runtime.internal;

import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import dev.rebound.runtime.spi.PerThread;

/**
 * Where {@link RateLimitHeaders#record} keeps a response's rate-limit headers for the rate limiter of
 * the call that made the request, on the calling thread, and how that limiter tells its own call's
 * headers from those of a resilient call nested in it.
 *
 * <p>Every call's start counts on its thread ({@link #callStarted}, through {@link Leftovers#forget}),
 * and headers are recorded with the count at that moment. A rate limit {@link #mark}s the count when
 * its attempt starts and {@link #takeSince takes} only headers recorded under the same count: what a
 * nested resilient call's client recorded (an embedding client called by a rate-limited chat method)
 * is that call's, and never corrects the enclosing call's limiter. Headers the attempt's own client
 * recorded after such a nested call are set aside too: a correction missed is safe, a wrong one is not.
 * A thread-local touched only once some response carried the headers.
 */
public final class SeenHeaders {

    /** Held by Rebound, not by the thread ({@link PerThread}). */
    private static final PerThread<SeenHeaders> SEEN = new PerThread<>(SeenHeaders::new);
    private static volatile boolean ever;

    private RateLimitHeaders headers;
    /** {@link #starts} when {@link #headers} were recorded. */
    private long recordedAt;
    /** Calls started on this thread since some response carried headers (any count: compared by equality). */
    private long starts;

    private SeenHeaders() {
    }

    /** Keeps {@code seen} for the call running on this thread (null forgets). */
    public static void record(RateLimitHeaders seen) {
        if (seen == null) {
            clear();
            return;
        }
        if (!ever) {
            ever = true;
            Leftovers.left(); // from now on each call's start is counted
        }
        SeenHeaders s = SEEN.get();
        s.headers = seen;
        s.recordedAt = s.starts;
    }

    /** Forgets what was recorded on this thread. */
    public static void clear() {
        if (ever) {
            SEEN.get().headers = null;
        }
    }

    /** What was recorded on this thread since the last take or clear, whoever recorded it, or null; forgets it. */
    public static RateLimitHeaders take() {
        if (!ever) {
            return null;
        }
        SeenHeaders s = SEEN.get();
        RateLimitHeaders h = s.headers;
        s.headers = null;
        return h;
    }

    /** A call starts on this thread: headers recorded from now on are not an enclosing call's. */
    static void callStarted() {
        if (ever) {
            SEEN.get().starts++;
        }
    }

    /** At the start of a rate-limited attempt: the mark to pass to {@link #takeSince}. */
    public static long mark() {
        return ever ? SEEN.get().starts : 0L;
    }

    /**
     * The headers recorded on this thread since {@code mark} by the attempt's own client (no call
     * started on this thread in between), or null; taken, so nobody gets them twice. Headers a nested
     * call's client recorded stay where they are, for that call's own limiter.
     */
    public static RateLimitHeaders takeSince(long mark) {
        if (!ever) {
            return null;
        }
        SeenHeaders s = SEEN.get();
        RateLimitHeaders h = s.headers;
        if (h == null || s.recordedAt != mark) {
            return null;
        }
        s.headers = null;
        return h;
    }
}
