package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.CircuitBreakerOpenException;
import java.util.Arrays;

/**
 * Every failure of one call, in order, each instance once: the caller gets one of them (the
 * primary's last, unless an alternative's failure ended the call: its Error, or a failure the fallback
 * rule does not pass on) with the others suppressed on it. Allocates
 * nothing while the failures are one instance; a second distinct one allocates the array once.
 */
final class FailureHistory {

    private Throwable first;
    /** The distinct failures after {@link #first}, in order; null-terminated. */
    private Throwable[] others;
    private Throwable last;
    /** The primary target's last failure, once the call has moved on to the alternatives. */
    private Throwable primaryLast;
    /** The alternative's failure that ended the call ({@link #endedBy}), or null. */
    private Throwable ended;

    void record(Throwable t) {
        last = t;
        if (first == null) {
            first = t;
        } else if (t != first) {
            remember(t);
        }
    }

    /** Every distinct failure so far, in order (a copy; for fallback handlers). */
    java.util.List<Throwable> toList() {
        java.util.List<Throwable> all = new java.util.ArrayList<>();
        if (first != null) {
            all.add(first);
        }
        if (others != null) {
            for (int i = 0; i < others.length && others[i] != null; i++) {
                all.add(others[i]);
            }
        }
        return java.util.Collections.unmodifiableList(all);
    }

    /**
     * A fallback handler's own exception is what the caller gets: recorded, and made the outcome, with
     * every other failure of the call suppressed on it.
     */
    void outcome(Throwable t) {
        record(t);
        primaryLast = t;
    }

    /**
     * An alternative's failure that the fallback rule does not pass on ended the call: the caller gets it
     * (already recorded), every other failure suppressed on it. Null: nothing ended the call (a fallback
     * handler went on past the walk that ended, or threw something else).
     */
    void endedBy(Throwable t) {
        ended = t;
    }

    /** The failure that ended the call ({@link #endedBy}), or null. */
    Throwable ended() {
        return ended;
    }

    /** Whether {@code t} is one of the call's failures (by identity). */
    boolean contains(Throwable t) {
        if (t == first) {
            return true;
        }
        if (others != null) {
            for (int i = 0; i < others.length && others[i] != null; i++) {
                if (others[i] == t) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether something failed, and every failure was a refusal of {@code call}'s own open circuits
     * (as {@link Execution#refusedHere} says): nothing the call sent failed.
     */
    boolean onlyOpenCircuitRefusals(Execution call) {
        if (!openCircuitRefusal(call, first)) {
            return false;
        }
        if (others != null) {
            for (int i = 0; i < others.length && others[i] != null; i++) {
                if (!openCircuitRefusal(call, others[i])) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean openCircuitRefusal(Execution call, Throwable t) {
        return t instanceof CircuitBreakerOpenException && call.refusedHere(t);
    }

    /** Whether nothing has failed yet. */
    boolean isEmpty() {
        return first == null;
    }

    Throwable last() {
        return last;
    }

    /** The primary target is done: its last failure is the one the caller will see. */
    void primaryDone() {
        primaryLast = last;
    }

    /**
     * The failure the caller gets: the primary's last, unless an alternative threw an Error or ended the
     * call ({@link #endedBy}). Pure:
     * {@link #thrown} is this with the history attached.
     */
    Throwable callersFailure() {
        if (ended != null) {
            return ended;
        }
        Throwable primary = primaryLast != null ? primaryLast : last;
        return primary instanceof Error || !(last instanceof Error) ? primary : last;
    }

    /**
     * What the caller gets, with every other failure of the call suppressed on it: the primary's
     * last failure, unless an alternative threw an Error or a failure that ended the call (which must not
     * be hidden).
     */
    Throwable thrown() {
        Throwable thrown = callersFailure();
        Throwable[] already = thrown.getSuppressed();
        suppress(thrown, first, already);
        if (others != null) {
            for (int i = 0; i < others.length && others[i] != null; i++) {
                suppress(thrown, others[i], already);
            }
        }
        return thrown;
    }

    /** Whether {@code thrown} is the primary target's failure (else an alternative's, which ended the call). */
    boolean isPrimary(Throwable thrown) {
        return thrown != ended && (primaryLast == null || thrown == primaryLast);
    }

    /** Forgets the call; keeps the array for the next one. */
    void clear() {
        first = null;
        last = null;
        primaryLast = null;
        ended = null;
        if (others != null) {
            Arrays.fill(others, null);
        }
    }

    private void remember(Throwable t) {
        int n = 0;
        if (others != null) {
            for (; n < others.length && others[n] != null; n++) {
                if (others[n] == t) {
                    return;
                }
            }
        }
        if (others == null) {
            others = new Throwable[4];
        } else if (n == others.length) {
            others = Arrays.copyOf(others, n * 2);
        }
        others[n] = t;
    }

    private static void suppress(Throwable thrown, Throwable t, Throwable[] already) {
        if (t == thrown || contains(already, t)) {
            return;
        }
        try {
            thrown.addSuppressed(t);
        } catch (RuntimeException refused) {
            // a failure whose addSuppressed is broken: keep the caller's exception intact
        }
    }

    private static boolean contains(Throwable[] array, Throwable t) {
        for (Throwable x : array) {
            if (x == t) {
                return true;
            }
        }
        return false;
    }
}
