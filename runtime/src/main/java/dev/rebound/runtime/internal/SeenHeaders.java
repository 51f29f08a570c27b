package dev.rebound.runtime.internal;

import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import dev.rebound.runtime.spi.PerThread;

/**
 * Where {@link RateLimitHeaders#record} keeps a response's rate-limit headers for the rate limiter of
 * the call that made the request, on the calling thread, and how that limiter tells its own attempt's
 * headers from those of a resilient call nested in it.
 *
 * <p>Each rate-limited attempt opens a scope of its own ({@link #mark}: a per-thread count, raised), and
 * so does every call that starts on the thread once some rate limit has run in this JVM
 * ({@link #callStarted}, through {@link Leftovers#forget}). Headers are recorded with the scope current
 * at that moment, and a limiter {@link #takeSince takes} only those recorded in its attempt's own scope:
 * what a nested resilient call's client recorded (an embedding client called by a rate-limited chat
 * method), in this attempt or an earlier one, is that call's, and never corrects the enclosing limiter.
 * Headers the attempt's own client recorded after such a nested call are set aside too: a correction
 * missed is safe, a wrong one is not.
 *
 * <p>Cost: nothing until a rate limit runs; from then on, a call's start reads this thread's object,
 * which a thread's first call creates, beside the Retry-After hint's ({@link Leftovers#forget}), as it
 * does once a server suggested a wait.
 */
public final class SeenHeaders {

    /** Held by Rebound, not by the thread ({@link PerThread}). */
    private static final PerThread<SeenHeaders> SEEN = new PerThread<>(SeenHeaders::new);
    /** Some response carried headers: {@link #clear} and {@link #take} have something to look at. */
    private static volatile boolean recorded;
    /** Some rate-limited attempt ran: call starts open scopes. */
    private static volatile boolean scoping;

    private RateLimitHeaders headers;
    /** {@link #scope} when {@link #headers} were recorded. */
    private long recordedIn;
    /** The current scope on this thread (any count: compared by equality). */
    private long scope;

    private SeenHeaders() {
    }

    /** Keeps {@code seen} for the call running on this thread (null forgets). */
    public static void record(RateLimitHeaders seen) {
        if (seen == null) {
            clear();
            return;
        }
        if (!recorded) {
            recorded = true;
        }
        SeenHeaders s = SEEN.get();
        s.headers = seen;
        s.recordedIn = s.scope;
    }

    /** Forgets what was recorded on this thread. */
    public static void clear() {
        if (recorded) {
            SEEN.get().headers = null;
        }
    }

    /** What was recorded on this thread since the last take or clear, whoever recorded it, or null; forgets it. */
    public static RateLimitHeaders take() {
        if (!recorded) {
            return null;
        }
        SeenHeaders s = SEEN.get();
        RateLimitHeaders h = s.headers;
        s.headers = null;
        return h;
    }

    /** A call starts on this thread: headers recorded from now on are not an enclosing attempt's. */
    static void callStarted() {
        if (scoping) {
            SEEN.get().scope++;
        }
    }

    /** At the start of a rate-limited attempt: opens its scope; the mark to pass to {@link #takeSince}. */
    public static long mark() {
        if (!scoping) {
            scoping = true;
            Leftovers.left(); // from now on every call's start opens a scope (Leftovers.forget)
        }
        return ++SEEN.get().scope;
    }

    /**
     * The headers recorded on this thread in the scope {@code mark} opened, by the attempt's own client,
     * or null; taken, so nobody gets them twice. Headers a nested call's client recorded stay where they
     * are, for that call's own limiter.
     */
    public static RateLimitHeaders takeSince(long mark) {
        if (!recorded) {
            return null;
        }
        SeenHeaders s = SEEN.get();
        RateLimitHeaders h = s.headers;
        if (h == null || s.recordedIn != mark) {
            return null;
        }
        s.headers = null;
        return h;
    }
}
