package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.it.woven.Counter;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * A successful call through a woven method allocates nothing: measured with the JVM's per-thread
 * allocation counter over many calls (bodies that allocate nothing themselves).
 */
class AllocationTest extends VirtualTime {

    private static final int CALLS = 200_000;

    private static long bytesPerCall(LongSupplier call) {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long sink = 0;
        for (int i = 0; i < CALLS; i++) { // warm up: resolve the join point, let the JIT compile
            sink += call.getAsLong();
        }
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < CALLS; i++) {
            sink += call.getAsLong();
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(sink).isPositive();
        return allocated / CALLS;
    }

    @Test
    void anUnannotatedWovenMethodAllocatesNothing() {
        Counter counter = new Counter();
        assertThat(bytesPerCall(counter::next)).isZero();
    }

    @Test
    void anAnnotatedWovenMethodThatSucceedsAllocatesNothing() {
        Counter counter = new Counter();
        assertThat(bytesPerCall(counter::nextResilient)).isZero();
        assertThat(bytesPerCall(() -> counter.add(3))).isZero();
    }

    @Test
    void aWovenMethodThroughAClosedBreakerAndABudgetAllocatesNothing() {
        Counter counter = new Counter();
        assertThat(bytesPerCall(counter::nextGuarded)).isZero();
    }
}
