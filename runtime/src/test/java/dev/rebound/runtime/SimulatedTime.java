package dev.rebound.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Virtual time shared by many threads, as a discrete-event simulation: exactly one thread runs at a
 * time, and when it sleeps, time jumps to the earliest wake-up among all threads (ties in the order
 * the sleeps began). Runs are exactly repeatable, and concurrency is real: every overlap of calls
 * that the waits would cause in production happens here too, at no real cost in time.
 */
final class SimulatedTime implements TimeSource {

    private final Object lock = new Object();
    private final PriorityQueue<Turn> queue = new PriorityQueue<>();
    private long now;
    private long seq;
    private volatile Turn running;

    private static final class Turn implements Comparable<Turn> {
        final long wake;
        final long order;
        final Thread thread;

        Turn(long wake, long order, Thread thread) {
            this.wake = wake;
            this.order = order;
            this.thread = thread;
        }

        @Override
        public int compareTo(Turn o) {
            int c = Long.compare(wake, o.wake);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    @Override
    public long nanoTime() {
        synchronized (lock) {
            return now;
        }
    }

    @Override
    public void sleep(long nanos) {
        Turn t;
        synchronized (lock) {
            t = new Turn(now + Math.max(0, nanos), seq++, Thread.currentThread());
            queue.add(t);
            passOn();
        }
        awaitTurn(t);
    }

    /** Runs each task on its own thread from the current time, one at a time; returns when all ended. */
    void run(List<Runnable> tasks) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Turn> firstTurns = new ArrayList<>();
        for (Runnable task : tasks) {
            Turn[] first = new Turn[1];
            Thread thread = new Thread(() -> {
                awaitTurn(first[0]);
                try {
                    task.run();
                } finally {
                    synchronized (lock) {
                        passOn();
                    }
                }
            });
            synchronized (lock) {
                first[0] = new Turn(now, seq++, thread);
            }
            firstTurns.add(first[0]);
            threads.add(thread);
        }
        synchronized (lock) {
            queue.addAll(firstTurns);
        }
        threads.forEach(Thread::start);
        synchronized (lock) {
            passOn();
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** Gives the turn to the earliest sleeper; called with the lock held by the thread giving it up. */
    private void passOn() {
        Turn next = queue.poll();
        if (next != null) {
            now = Math.max(now, next.wake);
        }
        running = next;
        if (next != null) {
            LockSupport.unpark(next.thread);
        }
    }

    private void awaitTurn(Turn t) {
        while (running != t) {
            LockSupport.park(this);
        }
    }
}
