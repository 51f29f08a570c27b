package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.internal.Engine;
import dev.rebound.runtime.internal.FallbackRule;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A successful call through a closed breaker and a budget allocates nothing. */
class HappyPathAllocationTest {

    private static final Object RESULT = "ok";
    private static final Invoker OK = (context, args) -> RESULT;

    @Test
    void aClosedBreakerAndABudgetAllocateNothingPerCall() throws Throwable {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
                .build();
        RetryPolicy retry = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).budgetRatio(0.2).build();
        Engine engine = new Engine("Model.chat(String)", "Fake", retry, FallbackRule.ANY_EXCEPTION, List.of(),
                settings, CircuitBreakerPolicy.builder().build(), Model.class.getName());
        for (int i = 0; i < 50_000; i++) {
            engine.execute(null, null, OK);
        }
        long id = Thread.currentThread().getId();

        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            engine.execute(null, null, OK);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;

        assertThat(allocated).as("bytes allocated by 100000 calls").isLessThan(1_000);
    }

    @Test
    void aDoorThatRunsTheFirstAttemptItselfAllocatesNothingThroughAClosedBreaker() throws Throwable {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
                .build();
        RetryPolicy retry = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).budgetRatio(0.2).build();
        Engine engine = new Engine("Model.chat(String)", "Fake", retry, FallbackRule.ANY_EXCEPTION, List.of(),
                settings, CircuitBreakerPolicy.builder().build(), Model.class.getName());
        for (int i = 0; i < 50_000; i++) {
            doorCall(engine);
        }
        long id = Thread.currentThread().getId();

        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            doorCall(engine);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;

        assertThat(allocated).as("bytes allocated by 100000 calls").isLessThan(1_000);
    }

    /** What the AspectJ and Guice doors do on the happy path. */
    private static Object doorCall(Engine engine) throws Throwable {
        if (!engine.admitFirstAttempt()) {
            return engine.execute(null, null, OK);
        }
        Object result = OK.invoke(null, null);
        engine.succeeded(0L);
        return result;
    }
}
