package dev.rebound.runtime.testing;

import dev.rebound.runtime.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when the engine sleeps on it: a test of five 1-second waits finishes at
 * once and can assert each wait. Thread-safe. Sleeping honours interrupts like a real sleep.
 *
 * <p>Tasks {@linkplain #schedule scheduled} on it (per-attempt timeouts) run when a sleep or an
 * {@link #advance} moves the clock to their time, on the thread moving it; a sleep that such a task
 * interrupts ends there, at the task's time, with an InterruptedException, and is recorded in
 * {@link #sleeps()} as the time it lasted. A test simulates a hung attempt by sleeping on this clock
 * (or advancing it) longer than the attempt's timeout.
 */
public final class VirtualTimeSource implements TimeSource {

    private final AtomicLong now;
    private final List<Long> sleeps = new ArrayList<>();

    /** A clock that reads 1 s (10^9 ns) at first. */
    public VirtualTimeSource() {
        this(1_000_000_000L);
    }

    /**
     * A clock that reads {@code originNanos} at first: any value, as {@link System#nanoTime()}'s
     * origin is arbitrary (0, negative, or close enough to {@code Long.MAX_VALUE} to wrap around).
     */
    public VirtualTimeSource(long originNanos) {
        this.now = new AtomicLong(originNanos);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long lasted = moveBy(nanos, true);
        synchronized (sleeps) {
            sleeps.add(lasted); // a sleep a task cut short is recorded as far as it went
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /**
     * Moves the clock forward, as if {@code d} passed outside any sleep (e.g. a slow call), running
     * the scheduled tasks whose time comes.
     */
    public void advance(Duration d) {
        moveBy(d.toNanos(), false);
    }

    // ---- scheduled tasks (per-attempt timeouts) ----

    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerSequence;

    /** Every delay scheduled, in order, cancelled ones included; guarded by {@link #timers}. */
    private final List<Long> scheduled = new ArrayList<>();

    /** Runs {@code task} when this clock reaches {@code delayNanos} from now (see the class comment). */
    @Override
    public Future<?> schedule(long delayNanos, Runnable task) {
        java.util.Objects.requireNonNull(task, "task");
        Timer t;
        synchronized (timers) {
            long delay = Math.max(0L, delayNanos);
            t = new Timer(now.get() + delay, timerSequence++, task);
            timers.add(t);
            timers.notifyAll();
            scheduled.add(delay);
        }
        return t.future;
    }

    /**
     * Every delay scheduled (the waits of asynchronous calls, time limits, timeouts), in order,
     * cancelled ones included.
     */
    public List<Duration> scheduled() {
        synchronized (timers) {
            return durations(scheduled);
        }
    }

    private static List<Duration> durations(List<Long> nanos) {
        List<Duration> out = new ArrayList<>(nanos.size());
        for (long n : nanos) {
            out.add(Duration.ofNanos(n));
        }
        return out;
    }

    /**
     * Moves the clock to each scheduled task's time in turn and runs it, including the tasks those
     * tasks schedule, until none is pending: an asynchronous call's backoff finishes at once.
     *
     * @return how many tasks ran
     */
    public int runScheduled() {
        int ran = 0;
        while (true) {
            Timer due;
            synchronized (timers) {
                due = timers.poll();
            }
            if (due == null) {
                return ran;
            }
            if (due.future.isCancelled()) {
                continue;
            }
            now.accumulateAndGet(due.at, (cur, at) -> at - cur > 0 ? at : cur);
            due.task.run();
            due.future.complete(null);
            ran++;
        }
    }

    /**
     * Waits, in real time, until at least {@code count} tasks are pending: for a test whose
     * asynchronous call schedules its next wait from another thread (an HTTP client's, say). Waits on
     * a condition, not a fixed time: it returns as soon as the tasks are there.
     *
     * @return false if {@code realTimeout} passed first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitPendingTasks(int count, Duration realTimeout) throws InterruptedException {
        long deadline = System.nanoTime() + realTimeout.toNanos();
        synchronized (timers) {
            while (true) {
                timers.removeIf(t -> t.future.isCancelled());
                if (timers.size() >= count) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(timers, left);
            }
        }
    }

    /** The tasks scheduled and neither run nor cancelled yet. */
    public int pendingTasks() {
        synchronized (timers) {
            timers.removeIf(t -> t.future.isCancelled());
            return timers.size();
        }
    }

    /**
     * Moves the clock {@code nanos} forward, running the tasks due on the way, each at its time. When
     * {@code stopOnInterrupt} and a task interrupts this thread, stops there, at that task's time,
     * leaving the interrupt set.
     *
     * @return how far this move went: {@code nanos}, or less when a task stopped it
     */
    private long moveBy(long nanos, boolean stopOnInterrupt) {
        synchronized (timers) {
            if (timers.isEmpty()) {
                now.addAndGet(nanos); // concurrent sleeps add up, as they always did
                return nanos;
            }
        }
        long target = now.get() + nanos;
        while (true) {
            Timer due;
            synchronized (timers) {
                due = timers.peek();
                if (due == null || due.at - target > 0) {
                    break;
                }
                timers.poll();
            }
            if (due.future.isCancelled()) {
                continue;
            }
            now.accumulateAndGet(due.at, (cur, at) -> at - cur > 0 ? at : cur);
            due.task.run();
            due.future.complete(null);
            if (stopOnInterrupt && Thread.currentThread().isInterrupted()) {
                return Math.max(0L, nanos - (target - due.at));
            }
        }
        now.accumulateAndGet(target, (cur, t) -> t - cur > 0 ? t : cur);
        return nanos;
    }

    /** A task due at {@code at}, ordered by time then by scheduling order. */
    private static final class Timer implements Comparable<Timer> {
        final long at;
        final long sequence;
        final Runnable task;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Timer(long at, long sequence, Runnable task) {
            this.at = at;
            this.sequence = sequence;
            this.task = task;
        }

        @Override
        public int compareTo(Timer o) {
            long d = at - o.at;
            return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(sequence, o.sequence);
        }
    }

    /**
     * Every sleep on this clock, in the order they ended, each as long as it lasted: the waits the
     * engine chose between the attempts of synchronous calls, and any sleep of the code under test on
     * this clock (a simulated hung request). A sleep that a scheduled task cut short (an attempt's
     * timeout) is recorded as far as it went, not as long as it asked. The waits of asynchronous and
     * streamed calls are not slept: they are {@linkplain #scheduled() scheduled}.
     */
    public List<Duration> sleeps() {
        synchronized (sleeps) {
            return durations(sleeps);
        }
    }

    /**
     * The sum of {@link #sleeps()}: how far the sleeps on this clock moved it. The time moved by
     * {@link #advance} or {@link #runScheduled()} is not counted.
     */
    public Duration slept() {
        synchronized (sleeps) {
            long total = 0;
            for (long s : sleeps) {
                total += s;
            }
            return Duration.ofNanos(total);
        }
    }
}
