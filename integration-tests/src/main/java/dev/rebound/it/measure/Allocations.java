package dev.rebound.it.measure;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * What a call allocates, read from the JVM's per-thread allocation counter: the measure of the allocation tests
 * under ajc ({@code AllocationTest}) and under the load-time agent ({@code AllocationUnderTheAgentTest}).
 */
public final class Allocations {

    /** Calls measured, after as many to warm up. */
    public static final int CALLS = 200_000;

    private Allocations() {
    }

    /**
     * The bytes the calling thread allocates per call of {@code call} (rounded down), over {@link #CALLS} calls
     * made after as many to resolve the join point and let the JIT compile. {@code call} answers a positive
     * number, summed so that no call is left out as dead code.
     *
     * @throws AssertionError if the calls' answers sum to no positive number
     */
    public static long bytesPerCall(LongSupplier call) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long sink = 0;
        for (int i = 0; i < CALLS; i++) {
            sink += call.getAsLong();
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < CALLS; i++) {
            sink += call.getAsLong();
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        if (sink <= 0) {
            throw new AssertionError("the calls answered " + sink + " in all, expected a positive sum");
        }
        return allocated / CALLS;
    }
}
