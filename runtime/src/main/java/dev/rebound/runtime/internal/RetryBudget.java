package dev.rebound.runtime.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A retry budget shared by every method that names it: retries within the last
 * {@value #WINDOW_SECONDS} seconds stay below {@code ratio} times the calls in that window, plus a
 * reserve of {@code minPerSecond} times {@value #WINDOW_SECONDS} (Finagle's RetryBudget, whose
 * {@code minRetriesPerSec} is this reserve: a burst may spend it at once, and each retry gives it back
 * when it leaves the window).
 *
 * <p>The window is one slot per second, for calls and for retries, each slot packing its second and
 * its count in one long, so that a new second replaces an old one atomically. Lock-free. A call costs
 * one clock reading, one volatile read and one atomic increment of its thread's stripe (at a second's
 * turn, a compare-and-set instead); the stripes (one per processor, a cache line apart) keep threads
 * from contending for one counter. A retry asked for reads every slot and takes one compare-and-set.
 * Seconds count from a reading taken when the budget was made (readings have no origin of their own:
 * a second is {@code (now - origin) / 1 s}, never an absolute reading's, so a clock near
 * {@code Long.MAX_VALUE} that wraps keeps the window).
 */
public final class RetryBudget {

    /** The sliding window. */
    public static final int WINDOW_SECONDS = 10;
    private static final long SECOND = 1_000_000_000L;
    /** A slot: (second << COUNT_BITS) | count; seconds fit 31 bits (68 years from the origin). */
    private static final int COUNT_BITS = 32;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    /** A slot's value before its first second: a second long before any reading. */
    private static final long NEVER = Long.MIN_VALUE;
    /** Stripes of the call counts: a power of two, at least the processors, at most 16. */
    private static final int STRIPES =
            Math.min(16, Integer.highestOneBit(2 * Runtime.getRuntime().availableProcessors() - 1));
    /** Longs from one stripe's slots to the next's: 128 bytes, so two stripes never share a cache line. */
    private static final int STRIDE = 16;

    private final String name;
    private final double ratio;
    private final int minPerSecond;
    /** The reading second 0 starts at. */
    private final long origin;
    /** Per stripe, {@link #STRIDE} apart: a slot per second of the calls made then. */
    private final AtomicLongArray calls = new AtomicLongArray(STRIPES * STRIDE);
    /** A slot per second of the retries granted then. */
    private final AtomicLongArray retries = new AtomicLongArray(WINDOW_SECONDS);

    /** {@code originNanos}: a reading of the clock the budget will be asked with, taken now. */
    RetryBudget(String name, double ratio, int minPerSecond, long originNanos) {
        this.name = name;
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        this.origin = originNanos;
        for (int i = 0; i < calls.length(); i++) {
            calls.set(i, NEVER);
        }
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            retries.set(i, NEVER);
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

    /** One call reaching a target that draws on this budget, at {@code nowNanos}. */
    public void recordCall(long nowNanos) {
        long second = secondOf(nowNanos);
        int i = ((int) Thread.currentThread().getId() & (STRIPES - 1)) * STRIDE + slotOf(second);
        while (true) {
            long current = calls.get(i);
            long s = current >> COUNT_BITS;
            if (s == second) {
                calls.getAndIncrement(i); // 2^32 calls in one second of one stripe: never
                return;
            }
            if (s > second) {
                return; // read 10 s ago and the slot is a later second's: outside every window
            }
            if (calls.compareAndSet(i, current, second << COUNT_BITS | 1L)) {
                return;
            }
        }
    }

    /**
     * Takes one retry from the budget if it has one at {@code nowNanos}.
     *
     * @return false when the budget is spent: the failure must not be retried
     */
    public boolean tryWithdraw(long nowNanos) {
        long second = secondOf(nowNanos);
        int slot = slotOf(second);
        while (true) {
            long current = retries.get(slot);
            long s = current >> COUNT_BITS;
            if (s > second) {
                return false; // read 10 s ago: the window has moved on
            }
            if (s < second) {
                retries.compareAndSet(slot, current, second << COUNT_BITS); // its old second left the window
                continue;
            }
            double allowed = ratio * inWindow(calls, second) + (double) minPerSecond * WINDOW_SECONDS;
            if (inWindow(retries, second) + 1 > allowed || (current & COUNT_MASK) == COUNT_MASK) {
                return false;
            }
            if (retries.compareAndSet(slot, current, current + 1)) {
                return true;
            }
        }
    }

    /** The counts of {@code slots} whose second is in the window ending with {@code second}. */
    private static long inWindow(AtomicLongArray slots, long second) {
        long sum = 0;
        for (int i = 0, n = slots.length(); i < n; i++) {
            long v = slots.get(i);
            long s = v >> COUNT_BITS;
            if (s > second - WINDOW_SECONDS && s <= second) {
                sum += v & COUNT_MASK;
            }
        }
        return sum;
    }

    private long secondOf(long nowNanos) {
        return Math.floorDiv(nowNanos - origin, SECOND);
    }

    private static int slotOf(long second) {
        return (int) Math.floorMod(second, (long) WINDOW_SECONDS);
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
