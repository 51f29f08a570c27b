package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.matcher.Matchers;
import dev.rebound.annotations.Retry;
import dev.rebound.it.plain.PlainCounter;
import dev.rebound.it.woven.Counter;
import dev.rebound.weaver.guice.ReboundModule;
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
    void aGuiceInterceptedMethodThatSucceedsAllocatesNoMoreThanAnEmptyInterceptor() {
        PlainCounter counter = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bindInterceptor(Matchers.subclassesOf(PlainCounter.class),
                        Matchers.not(Matchers.annotatedWith(Retry.class)), invocation -> invocation.proceed());
            }
        }).getInstance(PlainCounter.class);

        bytesPerCall(counter::nextPlain);
        bytesPerCall(counter::nextResilient);
        long guiceAlone = bytesPerCall(counter::nextPlain);
        long withRebound = bytesPerCall(counter::nextResilient);
        System.out.println("Guice intercepted call, bytes per call: empty interceptor " + guiceAlone
                + ", ReboundModule " + withRebound);

        // Guice allocates its invocation and the boxed result either way; any object of Rebound's
        // would add at least 16 bytes per call
        assertThat(withRebound - guiceAlone).isLessThan(16);
    }

    @Test
    void anAnnotatedWovenMethodThatSucceedsAllocatesNothing() {
        Counter counter = new Counter();
        assertThat(bytesPerCall(counter::nextResilient)).isZero();
        assertThat(bytesPerCall(() -> counter.add(3))).isZero();
    }
}
