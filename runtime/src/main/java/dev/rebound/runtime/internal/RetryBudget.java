package dev.rebound.runtime.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A retry budget shared by every method that names it: a retry is taken only if the retries within the
 * last {@value #WINDOW_SECONDS} seconds, itself included, are then at most {@code ratio} times the calls
 * in that window plus a reserve of {@code minPerSecond} times {@value #WINDOW_SECONDS} (Finagle's RetryBudget, whose
 * {@code minRetriesPerSec} is this reserve: a burst may spend it at once, and each retry gives it back
 * when it leaves the window).
 *
 * <p>Time is counted in ticks of {@value #TICK_MILLIS} ms from a reading taken when the budget was made
 * (readings have no origin of their own: a tick is {@code (now - origin) / 100 ms}, never an absolute
 * reading's, so a clock near {@code Long.MAX_VALUE} that wraps keeps the window). The window is the
 * current tick and the {@link #WINDOW_TICKS} before it: a call or a retry counts for at least 10 s and at
 * most 10.1 s after it was made, so a retry is given back between 10.0 and 10.1 s later, never earlier.
 *
 * <p>Calls and retries are kept in rings of {@link #SLOTS} slots, one per tick, each packing its tick and
 * its count in one long, so that a new tick replaces an old one atomically. Lock-free, and nothing is
 * allocated. A call costs one clock reading, one volatile read and one atomic increment of its thread's
 * stripe (at a tick's turn, a compare-and-set instead); the stripes (one per processor, at most 16) keep
 * threads from contending for one counter. A retry asked for reads every slot and takes one
 * compare-and-set; one given back (its attempt was not made) takes one more.
 */
public final class RetryBudget {

    /** The sliding window. */
    public static final int WINDOW_SECONDS = 10;
    /** The precision of the window. */
    public static final int TICK_MILLIS = 100;
    private static final long TICK = TICK_MILLIS * 1_000_000L;
    /** The ticks before the current one that the window holds: 10 s of them. */
    private static final long WINDOW_TICKS = WINDOW_SECONDS * 1000L / TICK_MILLIS;
    /** Slots of a ring: a power of two above the window's ticks, so a slot is reused only once out of it. */
    private static final int SLOTS = 128;
    /** A slot: (tick << COUNT_BITS) | count; ticks fit 39 bits and a sign (1,700 years from the origin). */
    private static final int COUNT_BITS = 24;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    /** A slot's value before its first tick: a tick long before any reading. */
    private static final long NEVER = Long.MIN_VALUE;
    /** Stripes of the call counts: a power of two, at least the processors, at most 16. */
    private static final int STRIPES =
            Math.min(16, Integer.highestOneBit(2 * Runtime.getRuntime().availableProcessors() - 1));
    /** What {@link #withdraw} returns when the budget is spent. */
    public static final long REFUSED = Long.MIN_VALUE;

    private final String name;
    private final double ratio;
    private final int minPerSecond;
    /** The reading tick 0 starts at. */
    private final long origin;
    /**
     * Per stripe, {@link #SLOTS} apart: a slot per tick of the calls made then. Threads of two stripes
     * count into the same slot of each at a time, 1 KB apart: never on one cache line.
     */
    private final AtomicLongArray calls;
    /** A slot per tick of the retries granted then. */
    private final AtomicLongArray retries;

    /** {@code originNanos}: a reading of the clock the budget will be asked with, taken now. */
    RetryBudget(String name, double ratio, int minPerSecond, long originNanos) {
        this(name, ratio, minPerSecond, originNanos, new AtomicLongArray(STRIPES * SLOTS),
                new AtomicLongArray(SLOTS));
        for (int i = 0; i < calls.length(); i++) {
            calls.set(i, NEVER);
        }
        for (int i = 0; i < SLOTS; i++) {
            retries.set(i, NEVER);
        }
    }

    private RetryBudget(String name, double ratio, int minPerSecond, long origin, AtomicLongArray calls,
            AtomicLongArray retries) {
        this.name = name;
        this.ratio = ratio;
        this.minPerSecond = minPerSecond;
        this.origin = origin;
        this.calls = calls;
        this.retries = retries;
    }

    /**
     * This budget with other values over the same window: the calls and retries counted so far count
     * for it too (a redeployed application that defines the name otherwise, its first definer gone).
     */
    RetryBudget withValues(double ratio, int minPerSecond) {
        return new RetryBudget(name, ratio, minPerSecond, origin, calls, retries);
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
        long tick = tickOf(nowNanos);
        int i = ((int) Thread.currentThread().getId() & (STRIPES - 1)) * SLOTS + slotOf(tick);
        while (true) {
            long current = calls.get(i);
            long t = current >> COUNT_BITS;
            if (t == tick) {
                calls.getAndIncrement(i); // 2^24 calls in 100 ms of one stripe: never
                return;
            }
            if (t > tick) {
                return; // read 12.8 s ago and the slot is a later tick's: outside every window
            }
            if (calls.compareAndSet(i, current, tick << COUNT_BITS | 1L)) {
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
        return withdraw(nowNanos) != REFUSED;
    }

    /**
     * Takes one retry from the budget if it has one at {@code nowNanos}.
     *
     * @return the receipt to {@link #giveBack} the retry with, should its attempt not be made; {@link #REFUSED}
     *     when the budget is spent: the failure must not be retried
     */
    public long withdraw(long nowNanos) {
        long tick = tickOf(nowNanos);
        int slot = slotOf(tick);
        while (true) {
            long current = retries.get(slot);
            long t = current >> COUNT_BITS;
            if (t > tick) {
                return REFUSED; // read 12.8 s ago: the window has moved on
            }
            if (t < tick) {
                retries.compareAndSet(slot, current, tick << COUNT_BITS); // its old tick left the window
                continue;
            }
            double allowed = ratio * inWindow(calls, tick) + (double) minPerSecond * WINDOW_SECONDS;
            if (inWindow(retries, tick) + 1 > allowed || (current & COUNT_MASK) == COUNT_MASK) {
                return REFUSED;
            }
            if (retries.compareAndSet(slot, current, current + 1)) {
                return tick;
            }
        }
    }

    /**
     * Gives back the retry {@link #withdraw} took with {@code receipt}, whose attempt was not made (a
     * breaker or a rate limit refused it, its wait was interrupted or ended by a throw, its call
     * cancelled): as if it had not been taken. Nothing once its tick has left the ring.
     */
    public void giveBack(long receipt) {
        int slot = slotOf(receipt);
        while (true) {
            long current = retries.get(slot);
            if (current >> COUNT_BITS != receipt || (current & COUNT_MASK) == 0L
                    || retries.compareAndSet(slot, current, current - 1)) {
                return;
            }
        }
    }

    /** The counts of {@code slots} whose tick is in the window ending with {@code tick}. */
    private static long inWindow(AtomicLongArray slots, long tick) {
        long sum = 0;
        for (int i = 0, n = slots.length(); i < n; i++) {
            long v = slots.get(i);
            long t = v >> COUNT_BITS;
            if (t >= tick - WINDOW_TICKS && t <= tick) {
                sum += v & COUNT_MASK;
            }
        }
        return sum;
    }

    private long tickOf(long nowNanos) {
        return Math.floorDiv(nowNanos - origin, TICK);
    }

    private static int slotOf(long tick) {
        return (int) (tick & (SLOTS - 1));
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
