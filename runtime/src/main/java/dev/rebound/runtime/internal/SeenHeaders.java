package dev.rebound.runtime.internal;

import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import dev.rebound.runtime.spi.PerThread;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

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
 * <p>A streamed response arrives on the HTTP client's thread, not on the call's: its client takes a
 * {@link Recorder} ({@link #forThisCall}) on the call's thread when it sends the request, and records
 * through it into the call's thread object, in the scope of that moment, as a synchronous response is
 * recorded. So a rate-limited attempt that streams its answer and returns it is corrected as one that
 * asks synchronously, and a call running on the client's thread never gets another call's headers.
 *
 * <p>Cost: nothing until a rate limit runs; from then on, a call's start reads this thread's object,
 * which a thread's first call creates, beside the Retry-After hint's ({@link Leftovers#forget}), as it
 * does once a server suggested a wait. A door that skips a call's start while nothing is going on (the Guice
 * interceptor's shortcut, {@link Shortcut}) does not while a rate-limited attempt runs on some thread: the
 * limiter keeps the shortcut closed for as long as its attempt runs.
 */
public final class SeenHeaders {

    /** Held by Rebound, not by the thread ({@link PerThread}). */
    private static final PerThread<SeenHeaders> SEEN = new PerThread<>(SeenHeaders::new);
    /** Some response carried headers: {@link #clear} and {@link #take} have something to look at. */
    private static volatile boolean recorded;
    /** Some rate-limited attempt ran: call starts open scopes. */
    private static volatile boolean scoping;

    private static final VarHandle KEPT;

    static {
        try {
            KEPT = MethodHandles.lookup().findVarHandle(SeenHeaders.class, "kept", Kept.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The headers recorded last and the scope they were recorded in, or null. Written by this thread, and
     * by the thread a streamed response arrives on ({@link #forThisCall}): one immutable value, swapped whole.
     */
    private volatile Kept kept;
    /** The current scope on this thread (raised by one, so a later scope is a larger count). */
    private long scope;

    private SeenHeaders() {
    }

    /** Headers and the scope they were recorded in. */
    private record Kept(RateLimitHeaders headers, long scope) {
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
        s.kept = new Kept(seen, s.scope);
    }

    /**
     * Where a response that arrives on another thread (a streamed one, whose request this thread sent)
     * records its headers for the call running on this thread now, in the scope current now: as if
     * {@link #record} had been called here, whichever thread calls {@link Recorder#record} and whenever.
     * What it records never replaces headers recorded since in a later scope (a later call's, a nested
     * call's): a response that arrives after its call ended corrects no other call's limiter.
     */
    public static Recorder forThisCall() {
        SeenHeaders s = SEEN.get();
        return new Recorder(s, s.scope);
    }

    /** Records a response's headers for the call that sent its request ({@link #forThisCall}), from any thread. */
    public static final class Recorder {
        private final SeenHeaders seen;
        private final long scope;

        private Recorder(SeenHeaders seen, long scope) {
            this.seen = seen;
            this.scope = scope;
        }

        /** Keeps {@code headers} for the call, unless headers of a later scope were recorded since; null keeps nothing. */
        public void record(RateLimitHeaders headers) {
            if (headers == null) {
                return;
            }
            if (!recorded) {
                recorded = true;
            }
            Kept mine = new Kept(headers, scope);
            for (;;) {
                Kept there = seen.kept;
                if (there != null && there.scope > scope) {
                    return; // a later call's (or a nested one's) headers: ours are too late for anyone
                }
                if (KEPT.compareAndSet(seen, there, mine)) {
                    return;
                }
            }
        }
    }

    /** Forgets what was recorded on this thread. */
    public static void clear() {
        if (recorded) {
            SEEN.get().kept = null;
        }
    }

    /** What was recorded on this thread since the last take or clear, whoever recorded it, or null; forgets it. */
    public static RateLimitHeaders take() {
        if (!recorded) {
            return null;
        }
        Kept k = (Kept) KEPT.getAndSet(SEEN.get(), (Kept) null);
        return k == null ? null : k.headers;
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
        for (;;) {
            Kept k = s.kept;
            if (k == null || k.scope != mark) {
                return null;
            }
            if (KEPT.compareAndSet(s, k, null)) {
                return k.headers;
            } // a streamed response's headers arrived just now: take those
        }
    }
}
