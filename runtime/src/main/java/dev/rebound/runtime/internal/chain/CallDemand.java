package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundListener;
import dev.rebound.runtime.ReboundSettings;
import java.util.List;
import java.util.Set;

/**
 * What the listeners of one call want: asked at the call's first event ({@link ReboundListener#wantedKinds},
 * once per listener), kept until the call ends ({@link #forget}), so a level changed at run time
 * applies from the next call. A listener without a set of its own is asked {@link ReboundListener#wants}
 * at most once per kind, at that kind's first event in the call. Belongs to one {@link Execution}; a
 * synchronous call's is reused by its thread's next call, which asks again.
 */
final class CallDemand {

    private static final int UNKNOWN = 0;
    /** Every listener answered an empty set: the call builds no event and asks nothing more. */
    private static final int SILENT = 1;
    private static final int SOME = 2;

    static {
        if (Kind.values().length > Long.SIZE) {
            throw new AssertionError("a kind's bit must fit in a long");
        }
    }

    private int state;
    private int n;
    private ReboundListener[] listeners = new ReboundListener[2];
    /** Each listener's set for this call, or null when it is asked per kind. */
    @SuppressWarnings("unchecked")
    private Set<Kind>[] kinds = new Set[2];
    /** For a listener asked per kind: the kinds asked (bit = ordinal), and those it wants. */
    private long[] asked = new long[2];
    private long[] wanted = new long[2];

    /** Whether no listener wants anything more of this call; asks them at its first event. */
    boolean silent(ReboundSettings s) {
        int st = state;
        if (st == UNKNOWN) {
            st = ask(s);
        }
        return st == SILENT;
    }

    private int ask(ReboundSettings s) {
        List<ReboundListener> ls = s.listeners();
        int count = ls.size();
        if (count > listeners.length) {
            grow(count);
        }
        boolean quiet = true;
        for (int i = 0; i < count; i++) {
            ReboundListener l = ls.get(i);
            listeners[i] = l;
            asked[i] = 0L;
            wanted[i] = 0L;
            Set<Kind> k;
            try {
                k = l.wantedKinds();
            } catch (RuntimeException e) {
                Events.ignored(l, e);
                k = Set.of(); // nothing for it during this call
            }
            kinds[i] = k;
            quiet &= k != null && k.isEmpty();
        }
        n = count;
        return state = quiet ? SILENT : SOME;
    }

    @SuppressWarnings("unchecked")
    private void grow(int count) {
        listeners = new ReboundListener[count];
        kinds = new Set[count];
        asked = new long[count];
        wanted = new long[count];
    }

    /** How many listeners the call has; valid once {@link #silent} said no. */
    int size() {
        return n;
    }

    ReboundListener listener(int i) {
        return listeners[i];
    }

    /** Whether listener {@code i} wants {@code kind} in this call (may ask its {@code wants}, once per kind). */
    boolean wants(int i, Kind kind) {
        Set<Kind> k = kinds[i];
        if (k != null) {
            return k.contains(kind);
        }
        long bit = 1L << kind.ordinal();
        if ((asked[i] & bit) == 0L) {
            asked[i] |= bit; // a listener that throws here is not asked again this call
            if (listeners[i].wants(kind)) {
                wanted[i] |= bit;
            }
        }
        return (wanted[i] & bit) != 0L;
    }

    /** The call ended: the next one asks again, and nothing of this one is kept. */
    void forget() {
        if (state != UNKNOWN) {
            for (int i = 0; i < n; i++) {
                listeners[i] = null;
                kinds[i] = null;
            }
            n = 0;
            state = UNKNOWN;
        }
    }
}
