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
 * only then): the flag is set again, so the cancelled branch's retry stops. Built per attempt, only for
 * methods that have a timeout.
 */
public final class AttemptTimer implements Runnable {

    private static final int RUNNING = 0;
    private static final int FINISHED = 1;
    private static final int FIRING = 2;
    private static final int FIRED = 3;
    /** The time came on a thread already interrupted: the timer sent nothing, and takes nothing back. */
    private static final int FIRED_ON_INTERRUPTED = 4;

    private final Thread thread;
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private volatile Future<?> task;

    private AttemptTimer(Thread thread) {
        this.thread = thread;
    }

    /** Starts watching the current thread's attempt: it is interrupted {@code nanos} from now on {@code time}. */
    public static AttemptTimer start(TimeSource time, long nanos) {
        AttemptTimer t = new AttemptTimer(Thread.currentThread());
        t.task = time.schedule(nanos, t);
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
     * thread's branch has been cancelled meanwhile).
     */
    public int finish() {
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
            if (Branches.cancelled()) {
                Thread.currentThread().interrupt(); // the branch's cancel came as one flag with the timer's: kept
            }
            return TIMED_OUT_UNHEARD;
        }
        return TIMED_OUT;
    }
}
