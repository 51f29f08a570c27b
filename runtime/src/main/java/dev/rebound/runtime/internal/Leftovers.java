package dev.rebound.runtime.internal;

import dev.rebound.runtime.RetryAfter;

/**
 * Whether any thread ever left something for the engine to take with a later failure on the same
 * thread: a wait suggested through {@link RetryAfter#suggest}, or a verdict handed off through
 * {@link ServerVerdict#handOff}. One flag for both, so that a call that starts while nothing was ever
 * left ({@link #forget}, on every happy path) reads one volatile field, and no thread-local. Only
 * ever set, and to what is true of the JVM, never of a call: it changes no outcome.
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

    /**
     * Forgets what another call left on this thread (a hint or a verdict read on the HTTP client's
     * thread, for a call that is not this one): one volatile read until something was ever left.
     */
    public static void forget() {
        if (ever) {
            RetryAfter.clear();
            ServerVerdict.forgetHandedOff();
        }
    }
}
