package dev.rebound.runtime.testing;

import dev.rebound.runtime.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that only moves when the engine sleeps on it or a test advances it: a test of five
 * 1-second waits finishes at once and can assert each wait. Scheduled tasks (the waits and time
 * limits of asynchronous calls) run on the thread that moves the clock past their time, in time
 * order; {@link #runScheduled()} moves it through every pending one. Thread-safe. Sleeping honours
 * interrupts like a real sleep.
 */
public final class VirtualTimeSource implements TimeSource {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Long> sleeps = new ArrayList<>();
    /** Every delay scheduled, in order; guarded by {@link #pending}. */
    private final List<Long> scheduled = new ArrayList<>();
    private final PriorityQueue<Task> pending = new PriorityQueue<>();
    private long sequence;

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        synchronized (sleeps) {
            sleeps.add(nanos);
        }
        now.addAndGet(nanos);
        runDue();
    }

    /**
     * Queues {@code task} for when this clock has moved {@code nanos} past now; it runs on the thread
     * that moves the clock there ({@link #advance}, {@link #sleep}, {@link #runScheduled}).
     */
    @Override
    public Future<?> schedule(long nanos, Runnable task) {
        Objects.requireNonNull(task, "task");
        long delay = Math.max(0L, nanos);
        Task t = new Task(now.get() + delay, task);
        synchronized (pending) {
            scheduled.add(delay);
            t.order = sequence++;
            pending.add(t);
        }
        return t;
    }

    /** Moves the clock forward, as if {@code d} passed outside any sleep (e.g. a slow call), running what falls due. */
    public void advance(Duration d) {
        now.addAndGet(d.toNanos());
        runDue();
    }

    /**
     * Runs every scheduled task, moving the clock to each one's time in turn, including tasks that
     * the tasks schedule, until none is pending.
     *
     * @return how many tasks ran
     */
    public int runScheduled() {
        int ran = 0;
        while (true) {
            Task next;
            synchronized (pending) {
                next = pending.poll();
            }
            if (next == null) {
                return ran;
            }
            now.accumulateAndGet(next.due, Math::max);
            if (!next.isCancelled()) {
                next.run();
                ran++;
            }
        }
    }

    /** How many scheduled tasks are waiting for their time (cancelled ones excluded). */
    public int pendingTasks() {
        synchronized (pending) {
            int n = 0;
            for (Task t : pending) {
                n += t.isCancelled() ? 0 : 1;
            }
            return n;
        }
    }

    private void runDue() {
        while (true) {
            Task next;
            synchronized (pending) {
                Task head = pending.peek();
                if (head == null || head.due - now.get() > 0) {
                    return;
                }
                next = pending.poll();
            }
            if (!next.isCancelled()) {
                next.run();
            }
        }
    }

    /** Every wait the engine chose by sleeping, in order. */
    public List<Duration> sleeps() {
        synchronized (sleeps) {
            return durations(sleeps);
        }
    }

    /** Every delay scheduled (asynchronous waits and time limits), in order, cancelled ones included. */
    public List<Duration> scheduled() {
        synchronized (pending) {
            return durations(scheduled);
        }
    }

    private static List<Duration> durations(List<Long> nanos) {
        List<Duration> out = new ArrayList<>(nanos.size());
        for (long s : nanos) {
            out.add(Duration.ofNanos(s));
        }
        return out;
    }

    /** The total virtual time slept. */
    public Duration slept() {
        synchronized (sleeps) {
            long total = 0;
            for (long s : sleeps) {
                total += s;
            }
            return Duration.ofNanos(total);
        }
    }

    /** A queued task: its time, then the order it was scheduled in. */
    private static final class Task extends FutureTask<Void> implements Comparable<Task> {
        final long due;
        long order;

        Task(long due, Runnable task) {
            super(task, null);
            this.due = due;
        }

        @Override
        public int compareTo(Task o) {
            long d = due - o.due;
            return d != 0 ? (d < 0 ? -1 : 1) : Long.compare(order, o.order);
        }
    }
}
