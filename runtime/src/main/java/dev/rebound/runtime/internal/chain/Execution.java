package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.observation.CallTrace;
import dev.rebound.runtime.spi.Invoker;

/**
 * The state of one call as it moves down the chain: what is being called now (the primary or an
 * alternative), which attempt, the failures so far. Strategies keep their own state in locals and
 * share only this.
 *
 * <p>A synchronous call borrows its thread's spare instance (so the failure path allocates nothing)
 * and clears it when it ends: nothing of one call is left for the next. A call made from inside
 * another on the same thread (an alternative that is itself resilient) gets a fresh instance. An
 * asynchronous variant, whose call moves between threads, must allocate its own.
 */
final class Execution {

    private static final ThreadLocal<Execution> SPARE = ThreadLocal.withInitial(Execution::new);

    final FailureHistory history = new FailureHistory();
    private boolean inUse;

    ReboundSettings settings;
    TimeSource time;
    /** When the call started, or UNTIMED. */
    long start;
    /** The door's arguments for the primary (null when the door passes them through its context). */
    private Object[] args;
    private Invoker primary;
    private Object context;
    private Object[] fallbackArgs;

    /** What is being called: its name in events, whether it is the primary, how to call it. */
    String target;
    boolean onPrimary;
    Invoker invoker;
    Object instance;
    Object[] targetArgs;
    /** The attempt on {@link #target} running or last run, 1-based. */
    int attempt;
    /** The door's failed first attempt, for the primary's retry to take instead of running attempt 1. */
    private Throwable pending;
    /**
     * What is left of the current target's maxDuration for the attempt about to run, in nanoseconds
     * (Long.MAX_VALUE = no deadline); set by a retry whose policy has an attempt timeout.
     */
    long attemptLimit = Long.MAX_VALUE;
    /** Set when the call was interrupted: nothing more is tried. */
    boolean interrupted;
    /** The call's trace: {@link CallTrace#NOOP} unless a tracer traces it ({@link CallObservation}). */
    CallTrace trace = CallTrace.NOOP;

    /** This thread's spare instance, or a fresh one when the spare is in use by an enclosing call. */
    static Execution borrow() {
        Execution e = SPARE.get();
        if (e.inUse) {
            e = new Execution();
        }
        e.inUse = true;
        return e;
    }

    void begin(ReboundSettings s, String primaryName, Object context, Object[] args, Invoker primary, long start,
            Throwable pending) {
        this.settings = s;
        this.time = s.timeSource();
        this.start = start;
        this.context = context;
        this.args = args;
        this.primary = primary;
        this.pending = pending;
        aim(primaryName, true, primary, context, args);
    }

    /** Points the call at a target: the next attempts call {@code invoker} on {@code instance}. */
    void aim(String name, boolean isPrimary, Invoker invoker, Object instance,
            Object[] targetArgs) {
        this.target = name;
        this.onPrimary = isPrimary;
        this.invoker = invoker;
        this.instance = instance;
        this.targetArgs = targetArgs;
        this.attempt = 0;
        this.attemptLimit = Long.MAX_VALUE;
    }

    /** The call's arguments for an alternative, asked of the door once. */
    Object[] fallbackArgs() {
        if (fallbackArgs == null) {
            fallbackArgs = primary.arguments(context, args);
        }
        return fallbackArgs;
    }

    /** The door's failed first attempt, once; null when attempt 1 is still to run. */
    Throwable takePending() {
        Throwable p = pending;
        pending = null;
        return p;
    }

    /** Ends the call: forgets everything it referenced. */
    void release() {
        history.clear();
        settings = null;
        time = null;
        context = null;
        args = null;
        primary = null;
        fallbackArgs = null;
        target = null;
        invoker = null;
        instance = null;
        targetArgs = null;
        pending = null;
        interrupted = false;
        attemptLimit = Long.MAX_VALUE;
        trace = CallTrace.NOOP;
        inUse = false;
    }
}
