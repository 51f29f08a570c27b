package dev.rebound.runtime.internal;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A retry budget shared by every method that names it: retries within the last
 * {@value #WINDOW_SECONDS} seconds stay below {@code ratio} times the calls in that window, plus
 * {@code minPerSecond} per second of the window (Finagle's RetryBudget, gRPC's retry throttling).
 *
 * <p>Lock-free. A call costs one {@link LongAdder} increment and reads no clock. The clock is read
 * only when a retry is asked for: retries are counted in one slot per second, each slot packing
 * its second and its count in one long so a new second replaces an old one atomically; the slot
 * also remembers the call count when its second was first asked about, so the calls in the window
 * are the calls since the oldest slot still inside it. Calls made before the first retry asked for
 * in the window are not counted: after a quiet spell only the per-second minimum is available at
 * first, and the budget errs on the side of fewer retries.
 */
public final class RetryBudget {

    /** The sliding window. */
    public static final int WINDOW_SECONDS = 10;
    private static final long SECOND = 1_000_000_000L;
    private static final int COUNT_BITS = 20;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

    private final String name;
    private final double ratio;
    private final int minPerSecond;
    private final LongAdder calls = new LongAdder();
    /** Per slot: (second << COUNT_BITS) | retries in that second. */
    private final AtomicLongArray retries = new AtomicLongArray(WINDOW_SECONDS);
    /** Per slot: {@link #calls} when the slot's second was first seen. */
    private final AtomicLongArray callsAtStart = new AtomicLongArray(WINDOW_SECONDS);
    /**
     * The clock reading the budget's seconds count from, the first one it was asked with (readings
     * have no origin of their own: a second is {@code (now - origin) / 1 s}, never an absolute
     * reading's, so a clock near {@code Long.MAX_VALUE} that wraps keeps the window).
     */
    private long origin;
    private volatile boolean hasOrigin;

    RetryBudget(String name, double ratio, int minPerSecond) {
        this.name = name;
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            retries.set(i, Long.MIN_VALUE); // a second long before any clock reading
        }
    }

    public String name() {
        return name;
    }

    public double ratio() {
        return ratio;
    }

    public int minPerSecond() {
        return minPerSecond;
    }

    /** One call (its first attempt) on a method drawing on this budget. */
    public void recordCall() {
        calls.increment();
    }

    /**
     * Takes one retry from the budget if it has one at {@code nowNanos}.
     *
     * @return false when the budget is spent: the failure must not be retried
     */
    public boolean tryWithdraw(long nowNanos) {
        if (!hasOrigin) {
            setOrigin(nowNanos);
        }
        long second = Math.floorDiv(nowNanos - origin, SECOND);
        int slot = (int) Math.floorMod(second, (long) WINDOW_SECONDS);
        while (true) {
            long current = retries.get(slot);
            if (current >> COUNT_BITS != second) {
                // this second's first question: the slot's old second is outside every window
                callsAtStart.set(slot, calls.sum());
                retries.compareAndSet(slot, current, second << COUNT_BITS);
                continue;
            }
            long callsNow = calls.sum();
            long oldestStart = callsNow;
            long oldestSecond = Long.MAX_VALUE;
            long spent = 0;
            for (int i = 0; i < WINDOW_SECONDS; i++) {
                long v = i == slot ? current : retries.get(i);
                long s = v >> COUNT_BITS;
                if (s > second - WINDOW_SECONDS && s <= second) {
                    spent += v & COUNT_MASK;
                    if (s < oldestSecond) {
                        oldestSecond = s;
                        oldestStart = callsAtStart.get(i);
                    }
                }
            }
            double allowed = ratio * (callsNow - oldestStart) + (double) minPerSecond * WINDOW_SECONDS;
            if (spent + 1 > allowed || (current & COUNT_MASK) == COUNT_MASK) {
                return false;
            }
            if (retries.compareAndSet(slot, current, current + 1)) {
                return true;
            }
        }
    }

    private synchronized void setOrigin(long nowNanos) {
        if (!hasOrigin) {
            origin = nowNanos;
            hasOrigin = true;
        }
    }

    /** Whether this budget has the given parameters. */
    boolean sameAs(double ratio, int minPerSecond) {
        return Double.compare(this.ratio, ratio) == 0 && this.minPerSecond == minPerSecond;
    }

    @Override
    public String toString() {
        return "retry budget \"" + name + "\" (budgetRatio " + ratio + ", budgetMinPerSecond " + minPerSecond + ")";
    }
}
