package dev.rebound.runtime;

import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default of {@link TimeSource#schedule}: one daemon timer thread for every pending wait of the
 * process (cancelled waits leave its queue at once), handing each due task to the common pool so a
 * slow task never delays the others. Created on first use.
 */
final class Scheduler {

    private Scheduler() {
    }

    private static final class Holder {
        static final ScheduledThreadPoolExecutor TIMER = timer();

        private static ScheduledThreadPoolExecutor timer() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "rebound-scheduler");
                t.setDaemon(true);
                return t;
            });
            timer.setRemoveOnCancelPolicy(true);
            return timer;
        }
    }

    static Future<?> schedule(long nanos, Runnable task) {
        Objects.requireNonNull(task, "task");
        return Holder.TIMER.schedule(() -> ForkJoinPool.commonPool().execute(task), Math.max(0L, nanos),
                TimeUnit.NANOSECONDS);
    }
}
