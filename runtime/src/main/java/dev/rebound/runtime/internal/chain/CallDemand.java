package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundListener;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.Leftovers;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.MDC;

/**
 * What the listeners of one call want: asked at the call's first event ({@link ReboundListener#wantedKinds},
 * once per listener), kept until the call ends ({@link #forget}), so a level changed at run time
 * applies from the next call. A listener without a set of its own is asked {@link ReboundListener#wants}
 * at most once per kind, at that kind's first event in the call. Belongs to one {@link Execution}; a
 * synchronous call's is reused by its thread's next call, which asks again. A listener that tells apart
 * the events of a call its own open circuit refused ({@link RefusalAwareListener}) says what it wants of
 * those from the same answer.
 *
 * <p>An asynchronous call's events happen on whichever thread completes its futures: each is handed to the
 * listeners with the MDC of the thread its first event was handed over on, as it was then ({@link #enter}),
 * on that thread too when it has served another request since; so is a breaker's transition one of its
 * attempts made ({@link #putCopied}). A logger's level rule on the MDC (Logback's
 * {@code DynamicThresholdFilter}, {@code MDCFilter}) then lets all of the call's lines of a level through,
 * or none. Copied once, and only for a call some listener gets events of; each later event reads the
 * thread's own (MDC offers no cheaper way to tell it is the call's already), to restore it after.
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

    /** An empty set's stand-in, for a quiet listener asked before the first one that wants something. */
    private static final Set<Kind> NONE = Set.of();

    private int state;
    /** The call's listeners; set once the call is known not to be silent. */
    private List<ReboundListener> listeners;
    /** Each listener's set for this call, or null when it is asked per kind; kept only when not silent. */
    @SuppressWarnings("unchecked")
    private Set<Kind>[] kinds = new Set[2];
    /** For a listener asked per kind: the kinds asked (bit = ordinal), and those it wants. */
    private long[] asked = new long[2];
    private long[] wanted = new long[2];

    /** What {@link #enter} returns when it changed nothing on the thread. */
    static final Object KEPT = new Object();
    /** An asynchronous call's: whether its first event was handed over (its MDC copied then), and that MDC. */
    private boolean copied;
    private Map<String, String> context;

    /** Whether no listener wants anything more of this call; asks them at its first event. */
    boolean silent(ReboundSettings s) {
        int st = state;
        if (st == UNKNOWN) {
            st = ask(s);
        }
        return st == SILENT;
    }

    /**
     * Asks each listener once. While every answer so far is an empty set nothing is kept, so a call
     * nobody listens to (the usual case: the logger off) writes nothing here but its state.
     */
    private int ask(ReboundSettings s) {
        List<ReboundListener> ls = s.listeners();
        for (int i = 0, count = ls.size(); i < count; i++) {
            Set<Kind> k = kindsOf(ls.get(i));
            if (k == null || !k.isEmpty()) {
                asked(ls, i, k);
                return SOME;
            }
        }
        return state = SILENT;
    }

    /**
     * What {@code l} wants during this call: its set, or null when it is asked per kind; nothing (an
     * empty set) when it throws, which is logged. Asked while a failure is handled, as {@code onEvent}
     * is: what that failure has yet to take from the thread is held apart ({@link Leftovers#hold}).
     */
    static Set<Kind> kindsOf(ReboundListener l) {
        Object held = Leftovers.hold();
        try {
            return l.wantedKinds();
        } catch (RuntimeException e) {
            Events.ignored(l, e);
            return NONE; // nothing for it during this call
        } finally {
            Leftovers.putBack(held);
        }
    }

    /**
     * The call's demand, asked up to listener {@code i} of {@code ls}: the ones before it wanted nothing,
     * it answered {@code k} (null, or not empty); asks the others once and keeps every answer.
     */
    void asked(List<ReboundListener> ls, int i, Set<Kind> k) {
        int count = ls.size();
        keep(ls, count, i);
        for (int j = i; j < count; j++) {
            kinds[j] = j == i ? k : kindsOf(ls.get(j));
            asked[j] = 0L;
            wanted[j] = 0L;
        }
        state = SOME;
    }

    /** The first listener that wants something is {@code i}: the ones before it wanted nothing. */
    @SuppressWarnings("unchecked")
    private void keep(List<ReboundListener> ls, int count, int i) {
        if (count > kinds.length) {
            kinds = new Set[count];
            asked = new long[count];
            wanted = new long[count];
        }
        for (int j = 0; j < i; j++) {
            kinds[j] = NONE;
        }
        listeners = ls;
    }

    /** How many listeners the call has; valid once {@link #silent} said no. */
    int size() {
        return listeners.size();
    }

    ReboundListener listener(int i) {
        return listeners.get(i);
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
            Object held = Leftovers.hold(); // as around kindsOf
            try {
                if (listeners.get(i).wants(kind)) {
                    wanted[i] |= bit;
                }
            } finally {
                Leftovers.putBack(held);
            }
        }
        return (wanted[i] & bit) != 0L;
    }

    /**
     * Whether listener {@code i} wants {@code kind} in this call for an event {@code refused} or not by
     * the call's own open circuit: a {@link RefusalAwareListener} says it of such an event from its set.
     */
    boolean wants(int i, Kind kind, boolean refused) {
        Set<Kind> k = kinds[i];
        ReboundListener l = listeners.get(i);
        if (refused && k != null && l instanceof RefusalAwareListener) {
            return ((RefusalAwareListener) l).wantedWhenRefused(k).contains(kind);
        }
        return wants(i, kind);
    }

    /**
     * Before an event of the call is handed to its listeners: for an {@code async} call, the MDC of the
     * thread its first event was handed over on, copied then, is put in place on any thread whose MDC is
     * not that one now (what {@link #leave} restores is returned); the first event keeps its thread's. Else
     * nothing: {@link #KEPT}.
     */
    Object enter(boolean async) {
        if (!async) {
            return KEPT;
        }
        if (!copied) {
            copied = true;
            context = MDC.getCopyOfContextMap();
            return KEPT;
        }
        return putCopied();
    }

    /**
     * The call's MDC, as its first event copied it, put in place unless the thread's is the same (what
     * {@link #leave} restores is returned); {@link #KEPT} when nothing changed, or before that first event
     * (a synchronous call's, whose events all happen on its thread, never copies it). For a breaker's
     * transition an attempt of the call made: the call's line, wherever its attempt completed.
     */
    Object putCopied() {
        return copied ? putUnlessSame(context) : KEPT;
    }

    /**
     * The MDC a breaker's transition that an attempt of the call {@code by} made (null: not known) is told
     * with, taken as the transition is made: the call's, as its first event copied it, else this thread's
     * now (a synchronous call's lines are its thread's). Never null; put in place by {@link #putContext} on
     * whichever thread tells the transition. Copies the thread's MDC: for transitions only, which are rare.
     */
    static Object contextOf(Execution by) {
        Map<String, String> mdc = by != null && by.demand.copied ? by.demand.context : MDC.getCopyOfContextMap();
        return mdc != null ? mdc : Map.of();
    }

    /** {@code context}, from {@link #contextOf}, put in place unless the thread's is the same (what {@link #leave} restores is returned). */
    @SuppressWarnings("unchecked")
    static Object putContext(Object context) {
        return putUnlessSame((Map<String, String>) context);
    }

    private static Object putUnlessSame(Map<String, String> context) {
        Map<String, String> own = MDC.getCopyOfContextMap();
        if (own == null || own.isEmpty() ? context == null || context.isEmpty() : own.equals(context)) {
            return KEPT;
        }
        put(context);
        return own;
    }

    /** After the event: the thread's own MDC back, as {@link #enter} returned it. */
    @SuppressWarnings("unchecked")
    static void leave(Object own) {
        if (own != KEPT) {
            put((Map<String, String>) own);
        }
    }

    private static void put(Map<String, String> mdc) {
        if (mdc == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(mdc);
        }
    }

    /**
     * The call ended: the next one asks again, and nothing of this one is kept, the listeners of a call
     * that ended while they were asked ({@link #asked}: one threw an {@code Error}) included.
     */
    void forget() {
        copied = false;
        context = null;
        if (listeners != null) {
            for (int i = 0, n = listeners.size(); i < n; i++) {
                kinds[i] = null;
            }
            listeners = null;
        }
        state = UNKNOWN;
    }
}
