package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.CircuitBreakerOpenException;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.spi.MethodDiagnostics.CircuitState;
import dev.rebound.runtime.spi.ResilientMethod;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongBinaryOperator;

/**
 * The state of one circuit breaker: closed, open or half-open, shared by every caller of one
 * primary target.
 *
 * <p>The phase is an immutable object swapped by CAS; each transition is made by exactly one
 * thread (the CAS winner), and told once, in the order the transitions were made ({@link #tell}). A
 * phase object is also the permit of the attempts it admitted: an outcome is recorded into the phase
 * that admitted it, so a late outcome of an old phase can never change the current one. A door's inline first attempt carries no permit, only its
 * start ({@link dev.rebound.runtime.spi.ResilientMethod#start}): its outcome is recorded into the
 * current closed phase only if that phase let it through, which is every attempt while the breaker is
 * in its first closed phase, and after an opening an attempt that started no earlier than the closed
 * phase did ({@link Closed#admitted}). An asynchronous call's first attempt keeps the closed phase it
 * ran under as its permit.
 *
 * <p>Closed, the happy path takes no lock and allocates nothing: one volatile read to admit, one
 * counter increment and one read of the ring of outcome bits to record a success. It reads no clock
 * until the breaker has opened once; then, while it is closed, a door's first attempt reads it once,
 * as its start ({@link #readsStarts}). The ring is a bit per slot of the window, packed in longs; a counter of set bits is
 * kept exact by adjusting it only by what each atomic bit update really changed.
 */
final class Breaker {

    /**
     * What the breaker reports: each transition once, in the order the transitions were made, by the thread
     * that made it, or by a thread telling an earlier transition of this breaker at that moment, after it
     * ({@link #tell}). What a transition is told with ({@code context}) is taken by the thread that made it,
     * from {@code by}, the call whose attempt made it when the chain knows it (null: a door's first attempt,
     * run before its call's chain, on the thread its first event then happens on).
     */
    interface Transitions {
        /**
         * What a transition the call {@code by} made is told with, on whichever thread tells it: asked once
         * per transition, by the thread that made it, right after it made it.
         */
        Object context(Execution by);

        /** Closed or half-open to open; {@code cause} is the attempt's failure. */
        void opened(boolean fromHalfOpen, Throwable cause, Object context);

        /** Open to half-open: probes may go through. */
        void halfOpened(Object context);

        /** Half-open to closed. */
        void closed(Object context);

        /** Closed to open for {@code nanos} because the fleet's breaker of the same name is open. */
        default void openedByFleet(long nanos, Throwable cause, Object context) {
            opened(false, cause, context);
        }
    }

    private static final LongBinaryOperator OR = (a, b) -> a | b;
    private static final LongBinaryOperator AND = (a, b) -> a & b;

    private final CircuitBreakerPolicy policy;
    private final int failuresToOpen;
    private final String method;
    private final String target;
    private final Transitions transitions;
    private final String sharedName;
    private final AtomicReference<Phase> phase;
    /** Whether this breaker reads the {@link LiveClock} scale instead of the clock it is given. */
    private final boolean live;
    /** The first closed phase, the one a door's inline first attempts run under, without a permit. */
    private final Closed initial;
    /** The last phase whose transition was told (at first {@link #initial}); written by the teller only. */
    private volatile Phase told;
    /** Transitions made and not yet seen by the teller; the thread that raises it from 0 tells ({@link #tell}). */
    private final AtomicInteger telling = new AtomicInteger();

    /**
     * @param method the method, as events name it
     * @param target the target, as events name it
     * @param sharedName the name the fleet shares its open state under ({@link MethodSpec#fleetName()})
     * @param live whether the method reads the global settings live: then every reading the breaker keeps
     *     (when it opened, when a closed phase began) and every door's start it is given are on the
     *     {@link LiveClock} scale, so that none is compared with a reading of another clock after
     *     {@code setGlobal} changed it
     */
    Breaker(CircuitBreakerPolicy policy, String method, String target, String sharedName, Transitions transitions,
            boolean live) {
        this.live = live;
        this.policy = policy;
        this.failuresToOpen = policy.failuresToOpen();
        this.method = method;
        this.target = target;
        this.transitions = transitions;
        this.sharedName = sharedName;
        this.initial = new Closed(policy.requestVolumeThreshold(), 0L, true);
        this.phase = new AtomicReference<>(initial);
        this.told = initial;
    }

    /** The clock this breaker reads: {@code time}, or the live scale for a method on the global settings. */
    private TimeSource clock(TimeSource time) {
        return live ? LiveClock.SCALE : time;
    }

    CircuitBreakerPolicy policy() {
        return policy;
    }

    /** The current phase. An open breaker whose delay has passed reads OPEN until the next call. */
    CircuitState state() {
        Phase p = phase.get();
        return p instanceof Closed ? CircuitState.CLOSED : p instanceof Open ? CircuitState.OPEN : CircuitState.HALF_OPEN;
    }

    /** Whether the breaker is open now: a retry would be refused. */
    boolean isOpen() {
        return phase.get() instanceof Open;
    }

    /** Whether the breaker is closed now: an attempt may run without a permit. */
    boolean isClosed() {
        return phase.get() instanceof Closed;
    }

    /**
     * Whether a door's first attempt, which carries no permit, needs its start read from the clock: the
     * breaker is closed again after an opening, and the reading tells the closed phase that let the
     * attempt through ({@link Closed#admitted}). Not while it is open or half-open (no attempt is
     * admitted inline then: an attempt whose phase closes between this question and its admission
     * carries no reading, and its outcome is not recorded). One volatile read.
     */
    boolean readsStarts() {
        Phase p = phase.get();
        return p != initial && p instanceof Closed;
    }

    /**
     * The current phase when the breaker is closed, else null: the permit of an attempt an asynchronous
     * call runs before its chain, which keeps it until the attempt's outcome ({@link #succeeded},
     * {@link #failed}). One volatile read.
     */
    Object closedPhase() {
        Phase p = phase.get();
        return p instanceof Closed ? p : null;
    }

    /**
     * An attempt a door ran without a permit, after {@link #isClosed()}, started at {@code start} (a
     * clock reading, or {@code UNTIMED} while the breaker had not opened), succeeded: recorded if the
     * breaker is closed and its current closed phase let the attempt through, else dropped (a late
     * outcome of an old phase: a request that hung through an outage must not count after a recovery).
     */
    void succeededWithoutPermit(long start) {
        Phase p = phase.get();
        if (p instanceof Closed && ((Closed) p).admitted(start)) {
            ((Closed) p).recordSuccess();
        }
    }

    /**
     * As {@link #succeededWithoutPermit(long)}, for an attempt that failed; true when the failure was
     * recorded into the current closed phase (as {@link #failed}).
     */
    boolean failedWithoutPermit(Throwable failure, TimeSource time, long start) {
        Phase p = phase.get();
        return p instanceof Closed && ((Closed) p).admitted(start) && failed(p, failure, time, null);
    }

    /**
     * Asks to run one attempt of the call {@code by} (null: not known). Returns the permit to pass to
     * {@link #succeeded} or {@link #failed}, or null when the attempt is refused (open, or every probe
     * slot taken).
     */
    Object tryAcquire(TimeSource time, Execution by) {
        while (true) {
            Phase p = phase.get();
            if (p instanceof Closed) {
                return p;
            }
            if (p instanceof HalfOpen) {
                return ((HalfOpen) p).tryEnter(policy.halfOpenProbes()) ? p : null;
            }
            if (clock(time).nanoTime() - ((Open) p).until < 0) {
                return null;
            }
            HalfOpen h = new HalfOpen();
            if (phase.compareAndSet(p, h)) {
                tell(p, h, by);
            }
        }
    }

    /** The exception of a refused attempt: no stack trace, names only. */
    CircuitBreakerOpenException refusal() {
        return new CircuitBreakerOpenException(method, target);
    }

    /**
     * The attempt admitted by {@code permit}, of the call {@code by} (null: not known), succeeded; a success
     * that closes the breaker reads {@code time}.
     */
    void succeeded(Object permit, TimeSource time, Execution by) {
        if (permit instanceof Closed) {
            ((Closed) permit).recordSuccess();
            return;
        }
        HalfOpen h = (HalfOpen) permit;
        if (h.leaveWithSuccess() >= policy.successThreshold()) {
            Closed c = new Closed(policy.requestVolumeThreshold(), Clock.read(clock(time)), false);
            if (phase.compareAndSet(h, c)) {
                tell(h, c, by);
            }
        }
    }

    /**
     * The attempt admitted by {@code permit} ended without saying anything about the target's health
     * (the caller cancelled it): nothing is recorded, and a half-open probe's slot is given back.
     */
    void released(Object permit) {
        if (permit instanceof HalfOpen) {
            ((HalfOpen) permit).leave();
        }
    }

    /**
     * The attempt admitted by {@code permit}, of the call {@code by} (null: not known), failed with
     * {@code failure}. Returns true when the failure
     * counts and was recorded into the breaker's current closed phase: only then may the fleet's breaker
     * be asked ({@code CircuitBreakerStrategy.askFleet}); a late failure of an older phase, which changes
     * no later one, asks nothing either.
     */
    boolean failed(Object permit, Throwable failure, TimeSource time, Execution by) {
        if (!policy.counts(failure)) {
            released(permit);
            return false;
        }
        if (permit instanceof Closed) {
            Closed c = (Closed) permit;
            if (c.recordFailure(failuresToOpen) && phase.get() == c) {
                open(c, failure, time, false, by);
            }
            return phase.get() == c;
        }
        open((HalfOpen) permit, failure, time, true, by);
        return false;
    }

    /**
     * Opens a closed breaker for {@code nanos}: the fleet's breaker of the same name is open (see
     * {@link dev.rebound.runtime.ratelimit.SharedCircuitState}), as a failure of the call {@code by} (null:
     * not known) found. No-op unless closed.
     */
    void openFor(long nanos, Throwable cause, TimeSource time, Execution by) {
        Phase p = phase.get();
        if (p instanceof Closed) {
            Open o = new Open(clock(time).nanoTime() + nanos, false, cause, nanos);
            if (phase.compareAndSet(p, o)) {
                tell(p, o, by);
            }
        }
    }

    /**
     * The name the fleet shares this breaker's open state under, {@code <method>/<target>} in fully
     * qualified names ({@link MethodSpec#fleetName()}): the same on every instance of the fleet.
     */
    String sharedName() {
        return sharedName;
    }

    private void open(Phase from, Throwable cause, TimeSource time, boolean fromHalfOpen, Execution by) {
        Open o = new Open(clock(time).nanoTime() + policy.delayNanos(), fromHalfOpen, cause, -1L);
        if (phase.compareAndSet(from, o)) {
            tell(from, o, by);
        }
    }

    /**
     * Tells the transition from {@code from} to {@code to}, which this thread just made for the call
     * {@code by}, after every earlier transition of this breaker, without a lock: the transition is linked
     * after {@code from}; the thread that finds no one telling tells every linked transition in order, this
     * one and those that other threads link meanwhile; one that finds a thread telling leaves its transition
     * to it. So a thread held in a slow listener (a synchronous appender) by an opening cannot be overtaken:
     * the half-opening and closing another thread makes meanwhile are told after the opening, by the held
     * thread. Only transitions pay for this (the context taken, two atomic updates); admitting and recording
     * attempts do not. An Error a listener throws reaches this thread once every linked transition was told.
     */
    private void tell(Phase from, Phase to, Execution by) {
        Object context = null;
        try {
            context = transitions.context(by);
        } finally {
            to.context = context;
            from.next = to; // linked even if taking the context failed: no later transition waits on this one
        }
        if (telling.getAndIncrement() != 0) {
            return;
        }
        Throwable error = null;
        int seen = 1;
        while (true) {
            Phase last = told;
            Phase next;
            while ((next = last.next) != null) {
                last.next = null; // told: no older phase (a permit kept by a late attempt) holds the newer ones
                told = next;
                try {
                    next.tellTo(transitions);
                } catch (Throwable t) {
                    if (error == null) {
                        error = t;
                    } else {
                        error.addSuppressed(t);
                    }
                }
                last = next;
            }
            seen = telling.addAndGet(-seen);
            if (seen == 0) {
                break;
            }
        }
        if (error instanceof Error) {
            throw (Error) error;
        }
        if (error != null) {
            throw (RuntimeException) error; // the transitions' methods throw no checked exception
        }
    }

    /** A phase; its identity is what CAS and permits compare. */
    private abstract static class Phase {
        /** The phase that replaced this one, linked by the thread that replaced it, until that transition is told. */
        volatile Phase next;
        /** What the transition into this phase is told with ({@link Transitions#context}); null once told. */
        Object context;

        /** Tells the transition into this phase, then forgets what it was told with. */
        abstract void tellTo(Transitions t);
    }

    /**
     * Closed: a ring of the last {@code window} recorded outcomes, one bit each (1 = failed). The
     * cursor is an int (a cheaper division than a long's); past 2^31 outcomes it wraps to slot 0,
     * which only reorders the ring once.
     *
     * <p>A slot is taken (the cursor) before its bit is written, in two steps: while a thread is
     * descheduled between them, its slot still holds the outcome of a window earlier, which the count
     * includes (a failure there can open the breaker one failure early), and a thread held there for a
     * whole window then writes over a newer outcome. The window is one outcome off, either way, for that
     * long. Making the two steps one would cost every recorded success a write or a CAS loop on a shared
     * word instead of one increment and one read; the happy path does not pay that.
     */
    private static final class Closed extends Phase {
        private final int window;
        /** When this phase began (a clock reading), unless it is the breaker's first. */
        private final long since;
        private final boolean first;
        private final AtomicInteger recorded = new AtomicInteger();
        private final AtomicLongArray failedBits;
        private final AtomicInteger failures = new AtomicInteger();
        /** Set once {@code window} outcomes were recorded: from then on the ring may open the breaker. */
        private volatile boolean full;

        Closed(int window, long since, boolean first) {
            this.window = window;
            this.since = since;
            this.first = first;
            this.failedBits = new AtomicLongArray((window + 63) / 64);
        }

        @Override
        void tellTo(Transitions t) {
            Object c = context;
            context = null;
            t.closed(c);
        }

        /**
         * Whether this phase let through a door's first attempt that started at {@code start}: the first
         * closed phase let through every attempt reported while it lasts (nothing came before it); a
         * later one, only an attempt whose start was read no earlier than the phase began (an attempt
         * of the first phase, unread, never).
         */
        boolean admitted(long start) {
            return first || start != ResilientMethod.UNTIMED && start - since >= 0;
        }

        private int nextSlot() {
            return (recorded.getAndIncrement() & Integer.MAX_VALUE) % window;
        }

        void recordSuccess() {
            int slot = nextSlot();
            int word = slot >>> 6;
            long mask = 1L << slot;
            if ((failedBits.get(word) & mask) != 0
                    && (failedBits.getAndAccumulate(word, ~mask, AND) & mask) != 0) {
                failures.decrementAndGet();
            }
        }

        /** Records a failure; true when the window is full and holds enough failures to open. */
        boolean recordFailure(int failuresToOpen) {
            int slot = nextSlot();
            int word = slot >>> 6;
            long mask = 1L << slot;
            int now = (failedBits.getAndAccumulate(word, mask, OR) & mask) == 0
                    ? failures.incrementAndGet() : failures.get();
            if (!full && recorded.get() >= window) {
                full = true;
            }
            return full && now >= failuresToOpen;
        }
    }

    /** Open until {@code until} (a {@link TimeSource#nanoTime()} reading). */
    private static final class Open extends Phase {
        final long until;
        private final boolean fromHalfOpen;
        /** The failure that opened it; null once told. */
        private Throwable cause;
        /** How long the fleet's breaker said it stays open; negative when this one opened on its own failures. */
        private final long fleetNanos;

        Open(long until, boolean fromHalfOpen, Throwable cause, long fleetNanos) {
            this.until = until;
            this.fromHalfOpen = fromHalfOpen;
            this.cause = cause;
            this.fleetNanos = fleetNanos;
        }

        @Override
        void tellTo(Transitions t) {
            Object c = context;
            Throwable f = cause;
            context = null;
            cause = null;
            if (fleetNanos >= 0L) {
                t.openedByFleet(fleetNanos, f, c);
            } else {
                t.opened(fromHalfOpen, f, c);
            }
        }
    }

    /** Half-open: probes in flight (low 32 bits) and successes so far (high 32 bits), in one word. */
    private static final class HalfOpen extends Phase {
        private static final long SUCCESS = 1L << 32;
        private final AtomicLong counts = new AtomicLong();

        @Override
        void tellTo(Transitions t) {
            Object c = context;
            context = null;
            t.halfOpened(c);
        }

        boolean tryEnter(int probes) {
            while (true) {
                long c = counts.get();
                if ((int) c >= probes) {
                    return false;
                }
                if (counts.compareAndSet(c, c + 1)) {
                    return true;
                }
            }
        }

        /** Leaves after a success; returns the successes so far. */
        int leaveWithSuccess() {
            return (int) (counts.addAndGet(SUCCESS - 1) >>> 32);
        }

        /** Leaves after an outcome that says nothing about health. */
        void leave() {
            counts.decrementAndGet();
        }
    }
}
