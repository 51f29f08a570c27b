package dev.rebound.runtime.internal;

import dev.rebound.runtime.TimeSource;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The watch over one attempt with a timeout: when the time comes before {@link #finish}, it
 * interrupts the attempt's thread. {@link #finish} tells whether the time came, and then takes back the
 * interrupt it caused, so nothing of the timeout outlives the attempt. A thread already interrupted
 * when the time comes (by an enclosing call's timeout, or a caller cancelling it) is left as it is and
 * keeps its flag: that interrupt is not this timer's to take back. An interrupt someone else sends
 * after the timer's, before the attempt ends, is one flag with it and is taken back too, except the
 * cancel of a {@code Parallel} or {@code Batch} branch this thread runs ({@link Branches#cancelled}, read
 * only then): the flag is set again, so the cancelled branch's retry stops. So it is when the time of
 * an enclosing attempt on this thread (a resilient call's attempt that made this call) came meanwhile:
 * that timer found the thread interrupted by this one and sent nothing, and the flag it would have sent
 * is set again, as that timer's to take back. Built per attempt, only for methods that have a timeout.
 */
public final class AttemptTimer implements Runnable {

    private static final int RUNNING = 0;
    private static final int FINISHED = 1;
    private static final int FIRING = 2;
    private static final int FIRED = 3;
    /** The time came on a thread already interrupted: the timer sent nothing, and takes nothing back. */
    private static final int FIRED_ON_INTERRUPTED = 4;

    /** The watch over each thread's innermost attempt with a timeout, while it runs. */
    private static final ThreadLocal<AttemptTimer> WATCHING = new ThreadLocal<>();

    private final Thread thread;
    /** The watch over the attempt this one runs inside, on the same thread; or null. */
    private final AttemptTimer enclosing;
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private volatile Future<?> task;

    private AttemptTimer(Thread thread, AttemptTimer enclosing) {
        this.thread = thread;
        this.enclosing = enclosing;
    }

    /** Starts watching the current thread's attempt: it is interrupted {@code nanos} from now on {@code time}. */
    public static AttemptTimer start(TimeSource time, long nanos) {
        AttemptTimer t = new AttemptTimer(Thread.currentThread(), WATCHING.get());
        t.task = time.schedule(nanos, t);
        WATCHING.set(t); // once scheduled: a schedule that throws leaves nothing on the thread
        return t;
    }

    @Override
    public void run() {
        if (state.compareAndSet(RUNNING, FIRING)) {
            if (thread.isInterrupted()) {
                state.set(FIRED_ON_INTERRUPTED);
                return;
            }
            thread.interrupt();
            state.set(FIRED);
        }
    }

    /** What {@link #finish} answers: the attempt ended before its time came (the timer is cancelled). */
    public static final int IN_TIME = 0;
    /** The time came and the attempt ended after it (its interrupt heard, or the thread already interrupted). */
    public static final int TIMED_OUT = 1;
    /**
     * The time came, but the attempt ended without hearing the timer's interrupt (still pending when it
     * ended): what it ended with is its own doing, a caller's interrupt it consumed included.
     */
    public static final int TIMED_OUT_UNHEARD = 2;

    /**
     * Ends the watch, on the attempt's thread: {@link #IN_TIME}, {@link #TIMED_OUT} or
     * {@link #TIMED_OUT_UNHEARD}; the interrupt the timer sent, if it sent one, is cleared (unless this
     * thread's branch has been cancelled meanwhile, or an enclosing attempt's time came).
     */
    public int finish() {
        if (enclosing == null) {
            WATCHING.remove(); // nothing of the watch stays with a pool's thread
        } else {
            WATCHING.set(enclosing);
        }
        if (state.compareAndSet(RUNNING, FINISHED)) {
            Future<?> f = task;
            if (f != null) {
                f.cancel(false);
            }
            return IN_TIME;
        }
        int fired;
        while ((fired = state.get()) == FIRING) {
            Thread.onSpinWait(); // the timer is between its CAS and its interrupt: a few instructions
        }
        if (fired == FIRED && Thread.interrupted()) {
            if (Branches.cancelled() || enclosingTimedOut()) {
                // the branch's cancel, or an enclosing timeout, came as one flag with the timer's: kept
                Thread.currentThread().interrupt();
            }
            return TIMED_OUT_UNHEARD;
        }
        return TIMED_OUT;
    }

    /**
     * Whether the time of an attempt enclosing this one came while this one's interrupt was pending (its
     * timer found the flag set, sent nothing, and the flag just taken back was all it had: that timer now
     * owns it, and takes it back when its attempt ends), or came and interrupted the thread (the flag just
     * taken back was its too). Asked only when this timer has taken its interrupt back.
     */
    private boolean enclosingTimedOut() {
        for (AttemptTimer e = enclosing; e != null; e = e.enclosing) {
            int s;
            while ((s = e.state.get()) == FIRING) {
                Thread.onSpinWait();
            }
            if (s == FIRED || s == FIRED_ON_INTERRUPTED && e.state.compareAndSet(FIRED_ON_INTERRUPTED, FIRED)) {
                return true;
            }
        }
        return false;
    }
}
