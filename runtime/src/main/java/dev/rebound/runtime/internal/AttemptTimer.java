package dev.rebound.runtime.internal;

import dev.rebound.runtime.TimeSource;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The watch over one attempt with a timeout: when the time comes before {@link #finish}, it
 * interrupts the attempt's thread. {@link #finish} tells whether the time came, and then takes back the
 * interrupt it caused, so nothing of the timeout outlives the attempt. A thread already interrupted
 * when the time comes (by an enclosing call's timeout, or a caller cancelling it) is left as it is and
 * keeps its flag: that interrupt is not this timer's to take back. An interrupt someone else sends
 * after the timer's, before the attempt ends, is one flag with it, and the attempt may hear (consume) the
 * two as one: the flag cannot tell who sent it, so when the timer sent its interrupt, whether anyone else
 * did is read from the senders' state, and the flag is set again, whether it was pending or heard, when
 * one did: the cancel of a {@code Parallel} or {@code Batch} branch this thread runs, or {@code shutdownNow()}
 * of the executor running it ({@link Branches#interruptedToStop}), so that the stopped branch's retry
 * stops (the executor's state cannot tell {@code shutdownNow()} from a plain {@code shutdown()}, so a
 * shutdown counts only when it could have sent the interrupt: when the executor was not shut down yet as
 * the timer fired, which the timer notes then; the race left: a plain {@code shutdown()} made after the
 * timer fired counts too, and a {@code shutdownNow()} made after it, following a plain {@code shutdown()}
 * made before it, does not); or the time of an enclosing attempt on this thread (a resilient call's
 * attempt that made this call): that timer, finding the thread interrupted by this one, sent nothing, and the flag it would have
 * sent is set again, as that timer's to take back. Any other interrupt that came as one flag with the
 * timer's is taken back with it. While the timer's interrupt is out (sent, not taken back yet), a
 * {@code Parallel} or {@code Batch} branch its thread runs in place counts it as Rebound's
 * ({@link Branches#sendingInterrupt}), so that the run stopping that branch does not take the flag for
 * someone else's and keep it for the caller. Built per attempt, only for methods that have a timeout; built, it
 * finds the executor of the branch its thread runs (one thread-local read when none), and it reads the
 * senders' state only once it has fired.
 *
 * <p>An asynchronous attempt ({@link #startAsync}) is watched the same way while the target's call runs on
 * the attempt's thread (a target that streams there, or blocks before returning its future): its time
 * counts from the attempt's start, and when it comes during that call its {@link Expiry} gives the attempt
 * up and the thread is interrupted, as a synchronous attempt's is. When the call returns an outcome still
 * pending ({@link #callReturned}), the same timer goes on for the time left, and ends the attempt through
 * the {@link Expiry} unless {@link #cancel} comes first: one timer per attempt.
 */
public final class AttemptTimer implements Runnable {

    private static final int RUNNING = 0;
    private static final int FINISHED = 1;
    private static final int FIRING = 2;
    private static final int FIRED = 3;
    /** The time came on a thread already interrupted: the timer sent nothing, and takes nothing back. */
    private static final int FIRED_ON_INTERRUPTED = 4;
    /** An asynchronous attempt's call returned its outcome pending: the time's coming goes to {@link Expiry#afterCall}. */
    private static final int FOLLOWING = 5;
    /** The time came during an asynchronous attempt's call that had its outcome already: nothing sent. */
    private static final int HAD_OUTCOME = 6;

    /** The watch over each thread's innermost attempt with a timeout, while it runs. */
    private static final ThreadLocal<AttemptTimer> WATCHING = new ThreadLocal<>();

    private final Thread thread;
    /** The watch over the attempt this one runs inside, on the same thread; or null. */
    private final AttemptTimer enclosing;
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private volatile Future<?> task;
    /** What an asynchronous attempt does when its time comes; null for a synchronous attempt. */
    private final Expiry expiry;
    /**
     * The ExecutorService whose {@code shutdownNow()} would interrupt the attempt's thread, the branch's it
     * runs ({@link Branches#stoppableBy}); null when none. Read only when the time comes.
     */
    private final ExecutorService branchExecutor;
    /**
     * The branch the attempt's thread runs ({@code Parallel}, {@code Batch}), or null: a branch run in place
     * under it counts the timer's interrupt as Rebound's while it is out ({@link Branches#sendingInterrupt}).
     */
    private final Branches.Branch branch;
    /**
     * Whether {@link #branchExecutor} was shut down already when the timer interrupted the thread: such a
     * shutdown sent nothing that could be one flag with the timer's. Written before {@link #FIRED}.
     */
    private boolean shutDownBeforeFiring;

    private AttemptTimer(Thread thread, AttemptTimer enclosing, Expiry expiry) {
        this.thread = thread;
        this.enclosing = enclosing;
        this.expiry = expiry;
        this.branch = Branches.current();
        this.branchExecutor = Branches.stoppableBy(branch);
    }

    /** How an asynchronous attempt is given up on when its time comes. */
    public interface Expiry {
        /**
         * The time came while the target's call still runs on the attempt's thread: gives the attempt up
         * (a stream before its first token is abandoned) and says true, for the thread to be interrupted;
         * false when the attempt had its outcome already (a stream's first token), which then stands.
         */
        boolean duringCall();

        /** The time came after the call returned its outcome pending, before {@link #cancel}: ends the attempt. */
        void afterCall();
    }

    /** Starts watching the current thread's attempt: it is interrupted {@code nanos} from now on {@code time}. */
    public static AttemptTimer start(TimeSource time, long nanos) {
        return start(time, nanos, null);
    }

    /**
     * Starts watching the current thread's call of an asynchronous attempt: {@code nanos} from now on
     * {@code time}, {@code expiry} gives it up. End the call's watch with {@link #finish} (its outcome is
     * there) or {@link #callReturned} (pending).
     */
    public static AttemptTimer startAsync(TimeSource time, long nanos, Expiry expiry) {
        return start(time, nanos, java.util.Objects.requireNonNull(expiry, "expiry"));
    }

    private static AttemptTimer start(TimeSource time, long nanos, Expiry expiry) {
        AttemptTimer t = new AttemptTimer(Thread.currentThread(), WATCHING.get(), expiry);
        t.task = time.schedule(nanos, t);
        WATCHING.set(t); // once scheduled: a schedule that throws leaves nothing on the thread
        return t;
    }

    @Override
    public void run() {
        int s;
        while ((s = state.get()) == RUNNING || s == FOLLOWING) { // again if the call returned meanwhile
            if (s == FOLLOWING) {
                if (state.compareAndSet(FOLLOWING, FINISHED)) {
                    expiry.afterCall();
                }
                return;
            }
            if (state.compareAndSet(RUNNING, FIRING)) {
                if (expiry != null && !expiry.duringCall()) {
                    state.set(HAD_OUTCOME);
                    return;
                }
                if (thread.isInterrupted()) {
                    state.set(FIRED_ON_INTERRUPTED);
                    return;
                }
                ExecutorService e = branchExecutor;
                shutDownBeforeFiring = e != null && e.isShutdown(); // read before the interrupt
                Branches.sendingInterrupt(branch);
                thread.interrupt();
                state.set(FIRED);
                return;
            }
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
     * {@link #TIMED_OUT_UNHEARD}; the interrupt the timer sent, if it sent one, is cleared (set again when
     * this thread's branch was stopped by interrupt meanwhile, or an enclosing attempt's time came, even if
     * the attempt heard the flag).
     */
    public int finish() {
        return end(FINISHED);
    }

    /**
     * Ends the watch over an asynchronous attempt's call, on its thread, when the call returned the
     * attempt's outcome still pending: as {@link #finish}, but in time the timer goes on for the time
     * left, to {@link Expiry#afterCall} unless {@link #cancel} comes first.
     */
    public int callReturned() {
        return end(FOLLOWING);
    }

    /**
     * The pending outcome of an asynchronous attempt came ({@link #callReturned}): its timer is cancelled.
     *
     * @return true; false when the time came first: {@link Expiry#afterCall} ends the attempt
     */
    public boolean cancel() {
        if (state.compareAndSet(FOLLOWING, FINISHED)) {
            Future<?> f = task;
            if (f != null) {
                f.cancel(false);
            }
            return true;
        }
        return false;
    }

    private int end(int inTime) {
        if (enclosing == null) {
            WATCHING.remove(); // nothing of the watch stays with a pool's thread
        } else {
            WATCHING.set(enclosing);
        }
        if (state.compareAndSet(RUNNING, inTime)) {
            Future<?> f = task;
            if (f != null && inTime == FINISHED) {
                f.cancel(false);
            }
            return IN_TIME;
        }
        int fired;
        while ((fired = state.get()) == FIRING) {
            Thread.onSpinWait(); // the timer is between its CAS and its interrupt: a few instructions
        }
        if (fired == HAD_OUTCOME) {
            return IN_TIME; // an asynchronous attempt's outcome came before its time: nothing was sent
        }
        if (fired != FIRED) {
            return TIMED_OUT; // the thread was interrupted when the time came: nothing sent, nothing taken back
        }
        boolean unheard = Thread.interrupted(); // the timer's interrupt, and any that came as one flag with it
        Branches.tookBackInterrupt(branch);
        if (Branches.interruptedToStop(!shutDownBeforeFiring) || enclosingTimedOut()) {
            // someone else sent a stop meanwhile, one flag with the timer's (taken back just now) or heard
            // with it by the attempt (nothing left to take back): set again, so the retry stops
            Thread.currentThread().interrupt();
        }
        return unheard ? TIMED_OUT_UNHEARD : TIMED_OUT;
    }

    /**
     * Whether the time of an attempt enclosing this one came while this one's interrupt was pending (its
     * timer found the flag set, sent nothing, and the flag this one's attempt heard or this timer took back
     * was all it had: that timer now owns it, and takes it back when its attempt ends), or came and
     * interrupted the thread (the flag was its too). Asked only when this timer has fired.
     */
    private boolean enclosingTimedOut() {
        for (AttemptTimer e = enclosing; e != null; e = e.enclosing) {
            int s;
            while ((s = e.state.get()) == FIRING) {
                Thread.onSpinWait();
            }
            if (s == FIRED) {
                return true;
            }
            if (s == FIRED_ON_INTERRUPTED && e.state.compareAndSet(FIRED_ON_INTERRUPTED, FIRED)) {
                Branches.sendingInterrupt(e.branch); // the flag set again now is that timer's, taken back at its end
                return true;
            }
        }
        return false;
    }
}
