package dev.rebound.runtime.internal.chain;

import static dev.rebound.runtime.ReboundEvent.Kind.FAILED;
import static dev.rebound.runtime.ReboundEvent.Kind.SUCCEEDED;

import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundListener;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.internal.Alternative;
import dev.rebound.runtime.internal.Leftovers;
import dev.rebound.runtime.internal.NestedCalls;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.MethodDiagnostics;
import dev.rebound.runtime.spi.QuietRetry;
import dev.rebound.runtime.spi.ResilientMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One method's executor: the door protocol ({@link ResilientMethod}) over its chain. A first attempt
 * that a door runs inline and that succeeds allocates nothing; neither does the failure path while
 * its failures are one instance and no listener wants its events. Ends every call that reached the
 * chain: the SUCCEEDED or FAILED event, and the history attached to what the caller gets.
 */
final class MethodExecutor implements ResilientMethod, MethodDiagnostics {

    final MethodSpec spec;
    final Events events;
    /** The primary's circuit breaker, or null. */
    final Breaker breaker;
    final RetryStrategy primaryRetry;
    /** The chain of a call that is not traced; null when the settings are fixed and trace every call. */
    private final Strategy plainRoot;
    /** The chain of a traced call (observations per call and attempt); null when nothing may trace. */
    private final Strategy tracedRoot;
    /** Whether a door may run the first attempt itself (no strategy must see it). */
    private final boolean inline;
    /** Whether the chain traces calls when the live settings have a tracer (then nothing runs inline). */
    final boolean observed;
    /** Whether the first attempt asks the breaker or counts toward a budget. */
    private final boolean guarded;
    /** Whether the primary's retry has a deadline (so its first attempt is timed). */
    private final boolean deadline;
    /**
     * Whether a strategy of the chain must see the first attempt too (a timeout, a result check, a rate
     * limit): then an asynchronous call's first attempt runs in the chain, not in the door.
     */
    final boolean firstInChain;
    /**
     * Whether a first attempt needs nothing but to run (inline, no breaker, no budget, no deadline, and
     * fixed settings that observe no success): then only live settings, if any, are asked.
     */
    private final boolean bare;
    /** Whether this method reads the global settings live (then {@link #bare} asks them on each call). */
    private final boolean live;
    /** Failed first attempts so far, for sampling the nested-retry check; racy on purpose. */
    private int failures;
    /**
     * Set when an asynchronous call's first attempt failed where its caller's stack was gone (on another
     * thread, after the call returned): the next call walks the stack instead, from its own caller,
     * where an enclosing retrying method shows. Racy on purpose, like {@link #failures}.
     */
    private boolean checkNestingNext;
    /** The outer retrying methods this method was found retrying inside, warned about once each. */
    private final Set<String> nestingWarned = ConcurrentHashMap.newKeySet();
    /**
     * The failure path of the common shape ({@link QuietLoop}), for a door's failed first attempt in a
     * call no listener and no tracer observes; null when the method is not of that shape.
     */
    private final QuietLoop quiet;
    /** What {@link #retryNow} returns to retry now, for the settings last seen; racy on purpose. */
    private QuietRetry quietRetry;
    /** Runs the calls of a CompletionStage or streaming method. */
    private final AsyncExecutor async = new AsyncExecutor(this);
    /** What a call of this method leaves when it takes an enclosing call's mark ({@link NestedCalls#take}). */
    final Object nestedTaken = NestedCalls.takenBy(this);

    MethodExecutor(MethodSpec spec, Events events, Breaker breaker, RetryStrategy primaryRetry, Strategy plainRoot,
            Strategy tracedRoot, boolean inline, QuietLoop quiet) {
        this.quiet = quiet;
        this.spec = spec;
        this.events = events;
        this.breaker = breaker;
        this.primaryRetry = primaryRetry;
        this.plainRoot = plainRoot;
        this.tracedRoot = tracedRoot;
        // an asynchronous method's first attempt returns a future, not its outcome: the chain runs it
        this.inline = inline && spec.shape() == CallShape.SYNC;
        this.firstInChain = !inline;
        this.observed = tracedRoot != null;
        this.guarded = breaker != null || spec.retry().hasBudget();
        this.deadline = spec.retry().hasDeadline();
        this.live = spec.settings() == null;
        this.bare = this.inline && !guarded && !deadline && (live || !spec.settings().observesSuccess());
    }

    @Override
    public String name() {
        return spec.name();
    }

    /** {@inheritDoc} */
    @Override
    public boolean bareByShape() {
        return bare;
    }

    /**
     * {@inheritDoc} Never for the call an enclosing call makes on this method as its alternative
     * ({@link NestedCalls#marks}): the chain runs it, and takes the mark as it starts.
     */
    @Override
    public boolean bareFirstAttempt() {
        if (bare && (!live || !ReboundSettings.global().observesSuccess()) && !NestedCalls.marks(this)) {
            forgetLeftovers(); // a bare attempt starts here: start() is not called
            return true;
        }
        return false;
    }

    /**
     * {@inheritDoc} Never the call an enclosing call makes on this method as its alternative
     * ({@link NestedCalls#marks}): the chain runs it, and takes the mark as it starts, before the
     * alternative runs and makes calls of its own under this policy.
     */
    @Override
    public boolean admitFirstAttempt() {
        if (NestedCalls.marks(this)) {
            return false;
        }
        if (observed && events.settings().tracesCalls()) {
            return false; // the chain opens the first attempt's observation
        }
        if (!guarded) {
            return inline;
        }
        if (!inline || breaker != null && !breaker.isClosed()) {
            return false; // the chain asks the breaker, which refuses or lets a probe through
        }
        primaryRetry.rule().countCall(events.settings());
        return true;
    }

    /**
     * A door's start: on the fixed settings' clock; for a method on the global settings, on the
     * {@link LiveClock}, which {@link #succeeded} and {@link #failed} turn into a reading of the clock the
     * rest of the call runs on, whatever {@code setGlobal} did in between.
     */
    @Override
    public long start() {
        if (!live) {
            return startOn(spec.settings());
        }
        forgetLeftovers();
        LiveClock l = LiveClock.current();
        return timed(l.settings) ? l.read() : UNTIMED;
    }

    /** The start of a call that runs on settings {@code s} from its start to its end: on their clock. */
    long startOn(ReboundSettings s) {
        forgetLeftovers();
        return timed(s) ? Clock.read(s.timeSource()) : UNTIMED;
    }

    /** Whether a call on settings {@code s} reads its start. */
    private boolean timed(ReboundSettings s) {
        // a breaker that has opened: the start tells which closed phase let the attempt through
        return deadline || s.timesSuccess() || breaker != null && breaker.readsStarts();
    }

    /**
     * A hint or verdict another call left on this thread (an unwrapped streaming model's 429, read on
     * the HTTP client's thread) is not this call's: one volatile read until either was ever left.
     */
    private static void forgetLeftovers() {
        Leftovers.forget();
    }

    @Override
    public void succeeded(long start) {
        if (breaker != null) {
            breaker.succeededWithoutPermit(start); // a live method's breaker reads the scale, as its start is
        }
        ReboundSettings s;
        if (live) {
            LiveClock l = LiveClock.current();
            s = l.settings;
            start = l.onClock(start);
        } else {
            s = spec.settings();
        }
        events.firstAttemptSucceeded(s, start, false); // a door ran it: never an enclosing call's (admitFirstAttempt)
    }

    /**
     * The door ran the first attempt, so the call is not traced (a door runs it only then: see
     * {@link #admitFirstAttempt} and {@link #bareFirstAttempt}), and its rest runs untraced on the plain
     * chain whatever tracer the settings have now, rather than a trace missing the attempt the call
     * began with. It runs on the settings read here, its start on their clock ({@link LiveClock}).
     */
    @Override
    public Object failed(Throwable failure, long start, Object context, Object[] args, Invoker primary)
            throws Throwable {
        ReboundSettings s;
        long onScale = start; // a live method's breaker reads the scale, as the door's start is
        if (live) {
            LiveClock l = LiveClock.current();
            s = l.settings;
            start = l.onClock(start);
        } else {
            s = spec.settings();
        }
        if (breaker != null && !Thread.currentThread().isInterrupted()) { // an interrupt is not the target's
            if (breaker.failedWithoutPermit(failure, s.timeSource(), onScale)) {
                CircuitBreakerStrategy.askFleet(breaker, s, failure, s.timeSource(), null);
            }
        }
        firstAttemptFailed(true);
        if (quiet != null) {
            return quietUnlessListened(s, failure, start, context, args, primary);
        }
        return run(Execution.borrow(), s, context, args, primary, start, failure);
    }

    /**
     * Asks the listeners what they want of this call, each once, as the chain would at its first event:
     * when none wants anything, {@link QuietLoop} runs the call; else the chain does, on a call state
     * that keeps the answers.
     */
    private Object quietUnlessListened(ReboundSettings s, Throwable failure, long start, Object context, Object[] args,
            Invoker primary) throws Throwable {
        Execution call = listened(s);
        if (call != null) {
            return run(call, s, context, args, primary, start, failure);
        }
        try {
            return quiet.run(s, failure, context, args, primary);
        } finally {
            RetryAfter.clear(); // a hint suggested on this thread and never thrown dies with its call
        }
    }

    /**
     * Asks the listeners of settings {@code s} what they want of this call, each once, as the chain would
     * at its first event: null when none wants anything; else a call state, borrowed, that keeps the answers.
     * A listener's {@code Error} while the others are asked reaches the caller, the call state given back.
     */
    private static Execution listened(ReboundSettings s) {
        List<ReboundListener> ls = s.listeners();
        for (int i = 0, n = ls.size(); i < n; i++) {
            Set<Kind> k = CallDemand.kindsOf(ls.get(i));
            if (k == null || !k.isEmpty()) {
                Execution call = Execution.borrow();
                try {
                    call.demand.asked(ls, i, k);
                } catch (Throwable t) { // only an Error: kindsOf logs and ignores the rest
                    call.release();
                    throw t;
                }
                return call;
            }
        }
        return null;
    }

    /**
     * {@link #failed} for a door that retries the primary itself and can lend the call's arguments
     * loose (the class generated for {@code Rebound.wrap}): {@link #retryNow}, then, unless the door is
     * to call again, {@link #takeOver} with the arguments lent as an array.
     */
    @Override
    public Object failedAt(Object call, Throwable first, Throwable failure, int attempt, long start, Object context,
            Invoker primary, int count, Object a0, Object a1, Object a2, Object a3) throws Throwable {
        Object next = retryNow(call, first, failure, attempt, start);
        if (next instanceof QuietRetry) {
            return next;
        }
        Object[][] spare = LentArguments.spare(count);
        Object[] args = LentArguments.lend(spare, count, a0, a1, a2, a3);
        try {
            return takeOver(next, first, failure, attempt, start, context, args, primary);
        } finally {
            LentArguments.giveBack(spare, args);
        }
    }

    /**
     * {@link #failed} for a door that retries the primary itself: while the call is of the common shape
     * and quiet (no tracer; no listener wants anything, asked at the first failure), each failure of the
     * primary is judged here by the chain's rule ({@link RetryRule#quietAfterFailure}), and when it is
     * to be retried the wait is slept here and the door is told to call again ({@link QuietRetry}, which
     * keeps the call's settings). Anything else is what {@link #takeOver} continues from: null (the first
     * failure, for {@link #failed}), the call state of a call some listener wants (the chain), or a
     * {@link Handover} (the quiet loop: a second distinct failure, the end of the primary's retries, an
     * interrupt, a rule or a sleep that threw: what it threw is then the primary's last failure, as in
     * the chain). A hint a successful retry left on the thread is forgotten at the next call's start, as
     * one a successful first attempt left.
     */
    @Override
    public Object retryNow(Object call, Throwable first, Throwable failure, int attempt, long start) {
        Object r = call != null ? call : firstFailure();
        if (!(r instanceof QuietRetry)) {
            return r;
        }
        QuietRetry retry = (QuietRetry) r;
        Quiet q = (Quiet) retry.state();
        if (failure != first) {
            return q.unjudged; // a second distinct failure: the quiet loop records and judges it
        }
        long judged;
        try {
            judged = quiet.primary().quietAfterFailure(q.settings, failure, attempt);
        } catch (Throwable t) {
            return new Handover(q.settings, QuietLoop.THREW, t); // a broken failure: rare, so not kept
        }
        if (judged >= 0L) {
            try {
                return RetryStrategy.waited(q.settings.timeSource(), judged) ? retry : q.interrupted;
            } catch (Throwable t) {
                return new Handover(q.settings, QuietLoop.THREW, t); // a sleep that threw: as the rule's throw
            }
        }
        return judged == RetryRule.INTERRUPTED ? q.interrupted : q.done;
    }

    @Override
    public Object takeOver(Object next, Throwable first, Throwable failure, int attempt, long start, Object context,
            Object[] args, Invoker primary) throws Throwable {
        if (next == null) {
            return failed(failure, start, context, args, primary);
        }
        if (next instanceof Execution) {
            Execution listened = (Execution) next;
            ReboundSettings s = listened.settings;
            return run(listened, s, context, args, primary, live ? LiveClock.onClockOf(s, start) : start, failure);
        }
        Handover h = (Handover) next;
        try {
            return quiet.run(h.settings(), first, h.threw() != null ? h.threw() : failure, attempt, h.judged(), context,
                    args, primary);
        } finally {
            RetryAfter.clear(); // a hint suggested on this thread and never thrown dies with its call
        }
    }

    @Override
    public void abandon(Object next) {
        if (next instanceof Execution) {
            ((Execution) next).release(); // the call state borrowed for the listeners' answers
        }
    }

    /**
     * The first attempt's failure, reported by a door that retries the primary itself: a
     * {@link QuietRetry} when the call is quiet (then the failure is still to be judged); null when
     * {@link #failed} is to take it (no quiet loop, or a traced call); the call state, borrowed, keeping
     * the listeners' answers, when some listener wants the call's events.
     */
    private Object firstFailure() {
        if (quiet == null) {
            return null;
        }
        // the door ran the first attempt, so the call is not traced, whatever the settings are now (see failed)
        ReboundSettings s = live ? LiveClock.current().settings : spec.settings();
        Execution listened = listenedAfterSampling(s);
        if (listened != null) {
            listened.settings = s; // begin() sets it again; the chain runs on the settings asked
            return listened;
        }
        QuietRetry retry = quietRetry;
        if (retry == null || ((Quiet) retry.state()).settings != s) {
            retry = new QuietRetry(new Quiet(s)); // once per settings: the global ones change rarely
            quietRetry = retry;
        }
        return retry;
    }

    /** A {@link QuietRetry}'s state: the call's settings, and the hand-overs of their quiet calls. */
    private static final class Quiet {
        final ReboundSettings settings;
        final Handover unjudged;
        final Handover done;
        final Handover interrupted;

        Quiet(ReboundSettings settings) {
            this.settings = settings;
            this.unjudged = new Handover(settings, QuietLoop.UNJUDGED, null);
            this.done = new Handover(settings, -1L, null);
            this.interrupted = new Handover(settings, RetryRule.INTERRUPTED, null);
        }
    }

    /**
     * What {@link #retryNow} decided of a quiet call's failure when the door is not to call again, for
     * {@link QuietLoop} to continue from: the rule's answer ({@code judged}, as {@link QuietLoop#run}
     * takes it), and what the rule or the wait's sleep threw, if either did. Immutable; kept per settings
     * but for a throw.
     */
    private record Handover(ReboundSettings settings, long judged, Throwable threw) {
    }

    /**
     * The nested-retry check (sampled), then the listeners' demand ({@link #listened}), of the first
     * failure of a quiet-shaped call that is not traced, as {@link #failed} takes it.
     */
    private Execution listenedAfterSampling(ReboundSettings s) {
        firstAttemptFailed(true);
        return listened(s);
    }

    @Override
    public Object executeAll(Object context, Object[] args, Invoker primary) throws Throwable {
        switch (spec.shape()) {
            case ASYNC:
                return async.executeAsync(context, args, primary);
            case STREAM:
                return async.executeStream(context, args, primary);
            default:
                // one settings for the whole call: its start is read on their clock, its chain runs on them
                ReboundSettings s = events.settings();
                return run(Execution.borrow(), s, context, args, primary, startOn(s), null);
        }
    }

    /**
     * The nested-retry check (sampled) of a call whose first attempt failed: now, when the caller's stack
     * is this thread's (a synchronous call; an asynchronous one that failed before returning); else at
     * the start of the next call.
     */
    void firstAttemptFailed(boolean callerStack) {
        if (NestedRetries.sampled(++failures)) {
            if (callerStack) {
                NestedRetries.check(this, spec.runsIn(), spec.methodName(), nestingWarned);
            } else {
                checkNestingNext = true;
            }
        }
    }

    /** A check an earlier call's first failure deferred to this call, made from this caller's stack. */
    void checkNestingDeferred() {
        if (checkNestingNext) {
            checkNestingNext = false;
            NestedRetries.check(this, spec.runsIn(), spec.methodName(), nestingWarned);
        }
    }

    /**
     * The chain a call with settings {@code s} runs: the traced one when they trace calls (a method on
     * the global settings has both, and a tracer set later applies from the next call), else the plain one;
     * the plain one too when the door ran the first attempt ({@code doorRanFirst}): the call began untraced.
     */
    Strategy root(ReboundSettings s, boolean doorRanFirst) {
        return plainRoot == null || !doorRanFirst && tracedRoot != null && s.tracesCalls() ? tracedRoot : plainRoot;
    }

    /**
     * The call through the chain, on settings {@code s} and {@code call}, borrowed for it;
     * {@code firstFailure} is the door's failed first attempt, or null.
     */
    private Object run(Execution call, ReboundSettings s, Object context, Object[] args, Invoker primary, long start,
            Throwable firstFailure) throws Throwable {
        try {
            call.begin(s, spec.primaryName(), spec.parameterCount(), context, args, primary, start, firstFailure);
            // the call an enclosing call makes on this method as its alternative takes its mark as it starts (a
            // door never runs its first attempt); the enclosing call's mark is on this thread: synchronous
            call.nested = firstFailure == null && NestedCalls.take(this, nestedTaken);
            Object result;
            try {
                result = root(s, firstFailure != null).apply(call);
            } catch (Throwable t) {
                result = call.failed(t);
            }
            if (result == Execution.FAILED) {
                Throwable failure = call.failure;
                chainRanTheFirstAttempt(call, firstFailure);
                throw failedForGood(call, failure); // the one throw of the chain's failure
            }
            chainRanTheFirstAttempt(call, firstFailure);
            succeededInChain(call, s, start); // outside the chain's try: a listener's Error is not the call's failure
            return result;
        } finally {
            RetryAfter.clear(); // a hint suggested on this thread and never thrown dies with its call
            call.release();
        }
    }

    /**
     * A synchronous call whose chain ran the first attempt (a timeout, a result check, a rate limit or
     * a tracer had to see it, so no door ran it): a failure in it is checked for nesting here, on the
     * caller's stack, as {@link #failed} checks a door's failed first attempt.
     */
    private void chainRanTheFirstAttempt(Execution call, Throwable firstFailure) {
        if (firstFailure == null && !call.history.isEmpty()) {
            firstAttemptFailed(true);
        }
    }

    /** A call that reached the chain answered: reported as SUCCEEDED, or as a first-attempt success. */
    void succeededInChain(Execution call, ReboundSettings s, long start) {
        if (call.history.isEmpty()) {
            events.firstAttemptSucceeded(s, start, call.nested);
        } else {
            events.emit(call, SUCCEEDED, call.target, null, call.attempt, 0L,
                    call.onPrimary ? Reason.RETRY : Reason.FALLBACK, null, start);
        }
    }

    /** What the caller gets, with the whole history attached; reported as FAILED. */
    Throwable failedForGood(Execution call, Throwable t) {
        FailureHistory history = call.history;
        if (t != history.last()) {
            history.record(t);
        }
        Throwable thrown = history.thrown();
        // named after whose exception the caller gets: the primary's, unless an alternative threw an Error
        Reason why = call.interrupted ? Reason.INTERRUPTED : call.cancelled() ? Reason.CANCELLED
                : FallbackStrategy.refusedBy(call, thrown);
        events.emit(call, FAILED, history.isPrimary(thrown) ? spec.primaryName() : call.target, null, 0,
                0L, why, thrown, call.start);
        return thrown;
    }

    @Override
    public MethodDiagnostics diagnostics() {
        return this;
    }

    @Override
    public RetryPolicy primaryRetry() {
        return spec.retry();
    }

    @Override
    public CircuitBreakerPolicy circuitBreaker() {
        return spec.circuitBreaker();
    }

    @Override
    public CircuitState circuitState() {
        return breaker == null ? null : breaker.state();
    }

    @Override
    public dev.rebound.runtime.RateLimitPolicy rateLimit() {
        return spec.rateLimit();
    }

    @Override
    public List<String> alternatives() {
        List<String> names = new ArrayList<>();
        for (Alternative a : spec.alternatives()) {
            names.add(a.name());
        }
        return List.copyOf(names);
    }

    @Override
    public String toString() {
        return "ResilientMethod[" + spec.name() + "]";
    }
}
