package dev.rebound.runtime.internal;

import dev.rebound.runtime.RetryAfter;
import java.time.Duration;

/**
 * Whether any thread ever left something for the engine to take with a later failure on the same
 * thread: a wait suggested through {@link RetryAfter#suggest}, or a verdict handed off through
 * {@link ServerVerdict#handOff}; or ran a rate-limited attempt, from which on every call's start opens
 * a scope for the rate-limit headers ({@link SeenHeaders}). One flag for all, so that a call that
 * starts while nothing was ever left ({@link #forget}, on every happy path) reads one volatile field,
 * and no thread-local. Only ever set, and to what is true of the JVM, never of a call: it changes no
 * outcome.
 */
public final class Leftovers {

    private static volatile boolean ever;

    private Leftovers() {
    }

    /** Called before anything is left on a thread. */
    public static void left() {
        if (!ever) {
            ever = true;
        }
    }

    /** Whether anything was ever left, on any thread: until then there is nothing to take or forget. */
    public static boolean ever() {
        return ever;
    }

    /** What {@link #hold} answers when something was ever left but this thread holds nothing now. */
    private static final Object NOTHING = new Object();

    /** A hint and a verdict taken off the thread by {@link #hold}, for {@link #putBack}. */
    private record Held(long hintNanos, ServerVerdict verdict) {
    }

    /**
     * Takes off this thread what the failure being handled has yet to take (a suggested wait, a
     * handed-off verdict), before user code runs in the middle of handling it (a listener): a call that
     * code makes starts by forgetting what is on the thread, and must not take this call's hint with it.
     * Null, and one volatile read, until something was ever left.
     */
    public static Object hold() {
        if (!ever) {
            return null;
        }
        long hint = RetryAfter.takeNanos();
        ServerVerdict verdict = ServerVerdict.takeHandedOff();
        return hint == 0L && verdict == null ? NOTHING : new Held(hint, verdict);
    }

    /**
     * Puts back what {@link #hold} took, after forgetting whatever the user code's own calls left on the
     * thread (that belongs to them, not to the failure being handled).
     */
    public static void putBack(Object held) {
        if (held == null && !ever) {
            return;
        }
        RetryAfter.clear();
        ServerVerdict.forgetHandedOff();
        if (held instanceof Held) {
            Held h = (Held) held;
            if (h.hintNanos() != 0L) {
                RetryAfter.suggest(Duration.ofNanos(h.hintNanos()));
            }
            ServerVerdict.handOff(h.verdict());
        }
    }

    /**
     * Forgets what another call left on this thread (a hint or a verdict read on the HTTP client's
     * thread, for a call that is not this one), and opens the call's scope for the rate-limit headers
     * ({@link SeenHeaders}): one volatile read until something was ever left.
     */
    public static void forget() {
        if (ever) {
            RetryAfter.clear();
            ServerVerdict.forgetHandedOff();
            SeenHeaders.callStarted();
        }
    }
}
