package dev.rebound.runtime.internal;

import dev.rebound.runtime.RetryAfter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a thread leaves for the engine to take with a later failure on the same thread (a wait suggested through
 * {@link RetryAfter#suggest}), and whether any thread ever left anything or ran a rate-limited attempt, from which
 * on every call's start opens a scope for the rate-limit headers ({@link SeenHeaders}). That flag is one for all,
 * so that a call that starts while nothing was ever left ({@link #forget}, on every happy path) reads one volatile
 * field, and no thread-local; it is only ever set, and to what is true of the JVM, never of a call: it changes no
 * outcome.
 *
 * <p>A thread whose hint is not none keeps the doors off their shortcut ({@link Shortcut}) while it is there, one
 * close however often it is suggested: closed when the hint goes from none to some, reopened when it is taken,
 * cleared, forgotten or held apart ({@link #hold}), so that a door that skips a call's start never skips one that
 * has a hint to forget. A hint left on a thread that never calls again keeps it closed: that costs the doors
 * their shortcut, never an outcome.
 */
public final class Leftovers {

    private static volatile boolean ever;

    private Leftovers() {
    }

    /** Called before anything is left on a thread, or a rate-limited attempt runs. */
    public static void left() {
        if (!ever) {
            ever = true;
        }
    }

    /** Whether anything was ever left, on any thread: until then there is nothing to take or forget. */
    public static boolean ever() {
        return ever;
    }

    /**
     * Each thread's suggested wait ({@link RetryAfter}): its nanoseconds (0 = none), and its number in
     * {@link #SUGGESTED}. Until anything was ever left there is nothing to take or clear, and every
     * failed attempt (and every successful response of an integration) skips the thread-local.
     */
    private static final ThreadLocal<long[]> HINT = ThreadLocal.withInitial(() -> new long[2]);

    /**
     * The waits suggested so far, on any thread: each hint is numbered when suggested, so that an
     * asynchronous attempt whose failure completes on another thread (a pool's) takes there only a hint
     * suggested after it began ({@link #attemptStarted}), not one an earlier, unrelated client left.
     * Counted on a failure's path only (a suggestion), read when an asynchronous attempt starts. An int,
     * compared by difference: it may wrap, as long as fewer than 2^31 waits are suggested during one
     * attempt (an attempt's mark is kept in the future a call returns, which has no room for a long).
     */
    private static final AtomicInteger SUGGESTED = new AtomicInteger();

    /** Records a wait of {@code nanos} (0 = none) suggested on this thread: {@link RetryAfter#suggest}. */
    public static void suggest(long nanos) {
        left();
        long[] h = HINT.get();
        put(h, nanos);
        h[1] = SUGGESTED.incrementAndGet();
    }

    /**
     * Sets this thread's hint {@code h} to {@code nanos} (0 = none). The hint not none is the close of the doors'
     * shortcut this thread holds: every write of it comes here or to {@link #take}.
     */
    private static void put(long[] h, long nanos) {
        if (nanos == 0L) {
            take(h);
        } else {
            if (h[0] == 0L) {
                Shortcut.close(); // before the thread holds it
            }
            h[0] = nanos;
        }
    }

    /** This thread's hint {@code h} (0 = none), forgotten, and with it the close this thread held. */
    private static long take(long[] h) {
        long v = h[0];
        if (v != 0L) {
            h[0] = 0L;
            Shortcut.reopen();
        }
        return v;
    }

    /** Forgets any wait suggested on this thread: {@link RetryAfter#clear}. */
    public static void clearHint() {
        if (ever) {
            take(HINT.get());
        }
    }

    /** The wait suggested on this thread in nanoseconds (0 = none), and forgets it: {@link RetryAfter#takeNanos}. */
    public static long takeHint() {
        if (!ever) {
            return 0L;
        }
        return take(HINT.get());
    }

    /**
     * As {@link #takeHint}, for an asynchronous attempt whose mark is {@code mark} ({@link #attemptStarted}),
     * on whatever thread its failure completes: only a wait suggested after the mark is taken; one
     * suggested before it is left for whoever it belongs to.
     */
    public static long takeHintAfter(int mark) {
        if (!ever) {
            return 0L;
        }
        long[] h = HINT.get();
        if ((int) h[1] - mark <= 0) {
            return 0L;
        }
        return take(h);
    }

    /** What {@link #hold} answers when something was ever left but this thread holds nothing now. */
    private static final Object NOTHING = new Object();

    /** A hint and its number, taken off the thread by {@link #hold}, for {@link #putBack}. */
    private record Held(long hintNanos, long hintNumber) {
    }

    /**
     * Takes off this thread what the failure being handled has yet to take (a suggested wait), before
     * user code runs in the middle of handling it (a listener): a call that code makes starts by
     * forgetting what is on the thread, and must not take this call's hint with it. Off the thread, it
     * keeps the doors off their shortcut no longer: that code's calls have nothing to forget.
     * Null, and one volatile read, until something was ever left.
     */
    public static Object hold() {
        if (!ever) {
            return null;
        }
        long[] h = HINT.get();
        long number = h[1];
        long hint = take(h);
        return hint == 0L ? NOTHING : new Held(hint, number);
    }

    /**
     * Puts back what {@link #hold} took, as it was (a hint keeps its number), after forgetting whatever
     * the user code's own calls left on the thread (that belongs to them, not to the failure being handled).
     */
    public static void putBack(Object held) {
        if (held == null && !ever) {
            return;
        }
        clearHint();
        if (held instanceof Held) {
            Held h = (Held) held;
            long[] hint = HINT.get();
            put(hint, h.hintNanos());
            hint[1] = h.hintNumber();
        }
    }

    /**
     * Forgets what another call left on this thread (a hint suggested for a call that is not this one),
     * and opens the call's scope for the rate-limit headers ({@link SeenHeaders}): one volatile read
     * until something was ever left.
     */
    public static void forget() {
        if (ever) {
            clearHint();
            SeenHeaders.callStarted();
        }
    }

    /**
     * An asynchronous attempt starts on this thread (the door's first, or one the chain runs): {@link #forget},
     * then the mark its failure takes hints after ({@link #takeHintAfter}), wherever that failure
     * completes; 0 while nothing was ever left (any later hint is then after it).
     */
    public static int attemptStarted() {
        if (!ever) {
            return 0;
        }
        forget();
        return SUGGESTED.get();
    }

    /**
     * The mark of an asynchronous attempt starting now on a thread already cleared ({@link #forget}: a
     * call's start), as {@link #attemptStarted} returns it.
     */
    public static int mark() {
        return ever ? SUGGESTED.get() : 0;
    }
}
