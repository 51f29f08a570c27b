package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.it.woven.Counter;
import dev.rebound.it.woven.Relay;
import dev.rebound.runtime.ReboundSettings;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * A successful call through a woven method allocates nothing, and a fallback nothing beyond what a
 * retry allocates (AspectJ's closure): measured with the JVM's per-thread allocation counter over
 * many calls (bodies that allocate nothing themselves).
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

    @Test
    void aWovenFallbackIsGivenTheCallsOwnArguments() {
        Relay down = new Relay.Primary(true);
        assertThat(down.second("a", "b")).isEqualTo("b");
        assertThat(down.third("a", "b", "c")).isEqualTo("c");
        assertThat(down.fourth("a", "b", "c", "d")).isEqualTo("d");
    }

    @Test
    void aWovenFallbackAllocatesNothingBeyondWhatARetryAllocates() {
        // no listener: what is measured is the door's and the engine's own
        ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).timeSource(clock).build());
        Relay once = new Relay.Primary(false);
        Relay down = new Relay.Primary(true);
        long retried = bytesPerCall(() -> once.third("a", "b", "c").length());
        long fellBack = bytesPerCall(() -> down.third("a", "b", "c").length());
        // the alternative reads the arguments where AspectJ's closure holds them: no copy
        assertThat(fellBack).isEqualTo(retried);
    }
}
