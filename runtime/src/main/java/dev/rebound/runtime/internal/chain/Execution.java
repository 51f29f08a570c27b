package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.internal.Leftovers;
import dev.rebound.runtime.internal.RetryBudget;
import dev.rebound.runtime.observation.CallTrace;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.PerThread;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;

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

    /** Each thread's spare, for its synchronous calls. */
    private static final PerThread<Execution> SPARE = new PerThread<>(Execution::new);

    /**
     * What {@link Strategy#apply} returns when its part failed, the failure being in {@link #failure}:
     * never a target's result (nobody else has this instance).
     */
    static final Object FAILED = new Object();

    final FailureHistory history = new FailureHistory();
    /** What the listeners want during this call: asked at its first event, forgotten when it ends. */
    final CallDemand demand = new CallDemand();
    private boolean inUse;

    ReboundSettings settings;
    TimeSource time;
    /** When the call started, or UNTIMED. */
    long start;
    /** The door's arguments for the primary (null when the door passes them through its context). */
    private Object[] args;
    private Invoker primary;
    private Object context;
    /** The method's parameter count; negative when its spec does not say (a test's, whose doors pass them exactly). */
    private int parameterCount;
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
    /** The current target's deadline, set by its retry: from this reading ({@link #deadlineOrigin}) ... */
    long deadlineOrigin;
    /** ... this many nanoseconds; 0 = none. */
    long maxDuration;
    /** The call's trace: {@link CallTrace#NOOP} unless a tracer traces it ({@link CallObservation}). */
    CallTrace trace = CallTrace.NOOP;
    /** The failure a strategy's {@link Strategy#apply} returned {@link #FAILED} for; read at once. */
    Throwable failure;
    /**
     * The failure this call's own result check made of a result in the current attempt (its rejection,
     * or its predicate's throw), and that result: an answer the target produced, which a rate limit above
     * settles its tokens against even when the attempt timeout then cut the attempt off. The rate limit
     * clears both before each attempt; a resilient call the target made has its own.
     */
    Throwable judged;
    Object judgedResult;

    // ---- an asynchronous call (its own instance, handed between threads by its futures) ----

    /** Whether the call runs {@link Strategy#applyAsync}: the thread's interrupt flag is not the call's. */
    boolean async;
    /**
     * The mark of the attempt running or last run ({@link Leftovers#attemptStarted}): its failure takes
     * only a Retry-After hint suggested after it, on whatever thread it completes. Unused by a
     * synchronous call, whose start forgets what was on its thread and which takes any hint.
     */
    int hintsAfter;
    /** The returned future, once the caller may cancel it; null for a synchronous call. */
    private volatile CompletableFuture<?> result;
    /** The attempt in flight: the target's future. */
    private volatile CompletableFuture<?> inFlight;
    /**
     * How the chain ended, once {@link #endedOn} decided it: {@link #ANSWERED} or the failure. Set and
     * read as the chain's future completes: the executor's reading follows the trace root's through it.
     */
    private Object ending;
    private static final Object ANSWERED = new Object();
    /** The scheduled wait before the next attempt. */
    private volatile Future<?> pendingWait;
    /**
     * What the scheduled wait runs when it ends: the next attempt, or (once the caller cancelled) the
     * call's end. Taken once, by the timer or by {@link #cancel}, whichever comes first.
     */
    private volatile Runnable afterWait;
    private static final VarHandle AFTER_WAIT;

    static {
        try {
            AFTER_WAIT = MethodHandles.lookup().findVarHandle(Execution.class, "afterWait", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /**
     * A streamed call's {@link StreamingInvocation.Caller}: its own handler, read once from the door's
     * arguments (which attempts may overwrite), and its latest attempt.
     */
    Object streamCaller;
    /**
     * Whether the call is one an enclosing call made on this method's wrapper as its alternative
     * ({@link dev.rebound.runtime.internal.NestedCalls}): its events say so. Set as the chain begins.
     */
    boolean nested;
    /** The executor to tell when the chain's first attempt on the primary fails (nested retries); or null. */
    MethodExecutor firstAttemptOf;
    /** Set once the call has returned to its caller: a failure after that is not on the caller's stack. */
    volatile boolean returned;

    private Execution() {
    }

    /** An asynchronous call: its own instance, as it moves between threads. */
    static Execution forAsync() {
        Execution e = new Execution();
        e.inUse = true;
        e.async = true;
        return e;
    }

    /** The future the caller holds; ending it is what {@link #cancelled()} reports. */
    void resultIs(CompletableFuture<?> f) {
        result = f;
    }

    /**
     * Whether the caller ended the call: cancelled its future, or had it completed otherwise
     * ({@code orTimeout}, {@code complete}, ...) before Rebound did. No further attempt, no further wait.
     */
    boolean cancelled() {
        CompletableFuture<?> r = result;
        return r != null && r.isDone();
    }

    /**
     * What the caller's future holds once the caller ended the call ({@link #cancelled}): the exception
     * it was ended with (a CancellationException when cancelled, {@code orTimeout}'s TimeoutException),
     * or {@code f}, the failure the call ended on, when the caller completed it with a value.
     */
    Throwable callersEnding(Throwable f) {
        try {
            result.getNow(null);
            return f;
        } catch (CancellationException e) {
            return e;
        } catch (CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    /**
     * How the asynchronous call ended, given its chain's outcome {@code t} (null for an answer): null when
     * it answered, else the failure it ends on ({@link AsyncExecutor#endedOn}). An answer that came after
     * the caller ended the call ({@link #cancelled}) is no answer: the call ends cancelled. Decided once, by
     * the first to ask (the trace's root, {@link CallObservation}, then the executor, on the thread the
     * chain completed on), so the trace, the events and the meters tell one outcome even when the caller
     * cancels in between.
     */
    Throwable endedOn(Throwable t) {
        Object e = ending;
        if (e == null) {
            boolean callerEnded = cancelled();
            e = t == null && !callerEnded ? ANSWERED : AsyncExecutor.endedOn(t, callerEnded);
            ending = e;
        }
        return e == ANSWERED ? null : (Throwable) e;
    }

    /** The attempt in flight, or the last one; null before any. */
    CompletableFuture<?> inFlight() {
        return inFlight;
    }

    /** Remembers the attempt in flight, which {@link #cancel} cancels; returns it. */
    <T> CompletableFuture<T> inFlight(CompletableFuture<T> attempt) {
        inFlight = attempt;
        if (cancelled()) {
            attempt.cancel(true);
        }
        return attempt;
    }

    /**
     * Schedules a wait of {@code nanos}, then {@code next}: run once, when the wait ends, or at once
     * when the caller cancels the call meanwhile ({@code next} then sees {@link #cancelled()} and ends
     * the call, so a cancelled call still ends with its FAILED event). The timer's task holds this
     * state only, not {@code next}: a clock that keeps a cancelled task until its time
     * ({@code java.util.Timer}, a timing wheel) keeps nothing of the call once it has ended.
     */
    void waitThen(long nanos, Runnable next) {
        afterWait = next;
        Future<?> wait = time.schedule(nanos, this::waitEnded);
        pendingWait = wait;
        if (cancelled()) {
            wait.cancel(false);
            waitEnded();
        }
    }

    /**
     * Runs what follows the current wait, unless the timer or a cancel took it first. A call has one
     * wait at a time, and none once its caller's future is done, so whoever takes it takes the current one.
     */
    private void waitEnded() {
        Runnable next = (Runnable) AFTER_WAIT.getAndSet(this, null);
        if (next != null) {
            next.run();
        }
    }

    /**
     * The caller ended the call ({@link #cancelled}): cancels the pending wait (ending the call now) and
     * the attempt in flight.
     */
    void cancel() {
        Future<?> w = pendingWait;
        if (w != null) {
            w.cancel(false);
        }
        waitEnded();
        CompletableFuture<?> a = inFlight;
        if (a != null) {
            a.cancel(true);
        }
    }

    /** This thread's spare instance, or a fresh one when the spare is in use by an enclosing call. */
    static Execution borrow() {
        Execution e = SPARE.get();
        if (e.inUse) {
            e = new Execution();
        }
        e.inUse = true;
        return e;
    }

    void begin(ReboundSettings s, String primaryName, int parameterCount, Object context, Object[] args,
            Invoker primary, long start, Throwable pending) {
        this.settings = s;
        this.time = s.timeSource();
        this.start = start;
        this.context = context;
        this.args = args;
        this.parameterCount = parameterCount;
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
        this.paidTo = null;
    }

    /**
     * The call's arguments for an alternative, asked of the door once: an array of exactly them (the door's
     * own when it holds exactly them, else a copy).
     */
    Object[] fallbackArgs() {
        if (fallbackArgs == null) {
            Object[] held = primary.argumentsInPlace(context, args);
            fallbackArgs = parameterCount < 0 ? held : Invoker.exactly(held, parameterCount);
        }
        return fallbackArgs;
    }

    /**
     * The call's arguments for a synchronous alternative, where the door holds them (in AspectJ's closure
     * state, after the target: {@link Invoker#argumentsInPlace}), which only an
     * {@link dev.rebound.runtime.internal.Alternative} reads, from the front, and only during this call.
     */
    Object[] alternativeArgs() {
        return fallbackArgs != null ? fallbackArgs : primary.argumentsInPlace(context, args);
    }

    /**
     * Exactly the arguments the current target's attempt is given, for a rate limit's token estimate: the
     * door's, or those a fallback handler gave an alternative, else (the door holds them in AspectJ's closure,
     * or an alternative reads them there) {@link #fallbackArgs}.
     */
    Object[] targetArguments() {
        Object[] t = targetArgs;
        return parameterCount < 0 || t != null && t.length == parameterCount ? t : fallbackArgs();
    }

    /**
     * The refusals this call's own circuit breakers and rate limits made (the primary's and its
     * alternatives': the target was not called), the first {@link #refusalCount}; compared by identity,
     * since the same exception type thrown by a resilient call the target made is another instance, a
     * failure of an attempt that ran, whatever names the two layers share. Kept with the call state, so
     * a borrowed one allocates only at its first refusals.
     */
    private Throwable[] refusals = NO_REFUSALS;
    private int refusalCount;
    private static final Throwable[] NO_REFUSALS = {};

    /**
     * The retry budgets this call was counted in on reaching an alternative (the primary's counted it
     * when it started), the first {@link #budgetCount}: a budget counts a call once. Kept with the call
     * state, as {@link #refusals}.
     */
    private RetryBudget[] budgets = NO_BUDGETS;
    private int budgetCount;
    private static final RetryBudget[] NO_BUDGETS = {};

    /**
     * The budget that paid for the retry whose attempt is next or running, and the receipt to give it back
     * with ({@link RetryRule#settle}); null when none is owed.
     */
    RetryBudget paidTo;
    long paidReceipt;

    /** Whether this call is not yet counted in {@code budget} by an alternative; from now on it is. */
    boolean firstCountIn(RetryBudget budget) {
        for (int i = 0; i < budgetCount; i++) {
            if (budgets[i] == budget) {
                return false;
            }
        }
        if (budgetCount == budgets.length) {
            budgets = java.util.Arrays.copyOf(budgets, Math.max(2, budgetCount * 2));
        }
        budgets[budgetCount++] = budget;
        return true;
    }

    /** Returns {@link #FAILED} for {@code refusal}, this call's own breaker's or rate limit's. */
    Object refused(Throwable refusal) {
        addRefusal(refusal);
        return failed(refusal);
    }

    /** Records {@code refusal} as one this call's own breaker or rate limit made. */
    void addRefusal(Throwable refusal) {
        if (refusalCount == refusals.length) {
            refusals = java.util.Arrays.copyOf(refusals, Math.max(2, refusalCount * 2));
        }
        refusals[refusalCount++] = refusal;
    }

    /** Whether {@code f} is a refusal this call's own breaker or rate limit made. */
    boolean refusedHere(Throwable f) {
        for (int i = 0; i < refusalCount; i++) {
            if (refusals[i] == f) {
                return f != null;
            }
        }
        return false;
    }

    /**
     * Returns {@link #FAILED} for {@code t}: a strategy's part ended with it. Also what a caller of
     * {@link Strategy#apply} makes of a throw: the same as a returned failure.
     */
    Object failed(Throwable t) {
        failure = t;
        return FAILED;
    }

    /** The door's failed first attempt, once; null when attempt 1 is still to run. */
    Throwable takePending() {
        Throwable p = pending;
        pending = null;
        return p;
    }

    /** The nanoseconds left before the current target's deadline, or Long.MAX_VALUE when it has none. */
    long remainingNanos() {
        if (maxDuration == 0L) {
            return Long.MAX_VALUE;
        }
        return Math.max(0L, maxDuration - Math.max(0L, Clock.read(time) - deadlineOrigin));
    }

    /** Ends the call: forgets everything it referenced. */
    void release() {
        context = null;
        args = null;
        parameterCount = 0;
        primary = null;
        fallbackArgs = null;
        target = null;
        invoker = null;
        instance = null;
        targetArgs = null;
        pending = null;
        attemptLimit = Long.MAX_VALUE;
        deadlineOrigin = 0L;
        maxDuration = 0L;
        trace = CallTrace.NOOP;
        releaseQuiet();
    }

    /**
     * Ends an asynchronous call, once its chain has ended and the caller's future has its outcome:
     * forgets what it referenced (arguments, targets, failures, the caller's handler), as
     * {@link #release} does for a synchronous one, and the attempt and wait it last had. What may
     * still run for it (an attempt that ignored its cancel, a timer that fires anyway) finds the
     * caller's future done ({@link #cancelled}), and starts nothing.
     */
    void ended() {
        release();
        streamCaller = null;
        firstAttemptOf = null;
        inFlight = null;
        pendingWait = null;
        afterWait = null;
        ending = null; // read by then: the failure it may be is not kept by a timer that holds this state
    }

    /**
     * Ends a call whose state is only its history ({@link QuietLoop}'s) or that the chain ran, whose other
     * fields {@link #release} cleared.
     */
    void releaseQuiet() {
        history.clear();
        settings = null;
        time = null;
        failure = null;
        judged = null;
        judgedResult = null;
        if (refusalCount > 0) {
            java.util.Arrays.fill(refusals, 0, refusalCount, null);
            refusalCount = 0;
        }
        if (budgetCount > 0) {
            java.util.Arrays.fill(budgets, 0, budgetCount, null);
            budgetCount = 0;
        }
        interrupted = false;
        paidTo = null;
        demand.forget();
        inUse = false;
    }
}
