package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.internal.chain.Chains;
import dev.rebound.runtime.internal.chain.MethodSpec;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A successful call through a closed breaker and a budget allocates nothing. */
class HappyPathAllocationTest {

    private static final Object RESULT = "ok";
    private static final Invoker OK = (context, args) -> RESULT;

    /** One call as a door makes it. */
    private interface Door {
        Object call(ResilientMethod engine) throws Throwable;
    }

    /** A breaker with the defaults and a budget of 20%: the guarded happy path. */
    private static ResilientMethod guardedEngine() {
        return guardedEngine(ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false).build());
    }

    /** As {@link #guardedEngine()} with {@code settings}; null reads the global ones live, as woven code does. */
    private static ResilientMethod guardedEngine(ReboundSettings settings) {
        RetryPolicy retry = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).budgetRatio(0.2).build();
        return Chains.executorOf(MethodSpec.builder("Model.chat(String)", "Fake").retry(retry)
                .circuitBreaker(CircuitBreakerPolicy.builder().build()).settings(settings)
                .budgetScope(Model.class.getName()).build());
    }

    /** Bytes this thread allocates over 100000 calls, after 50000 to warm up. */
    private static long allocatedBy(Door door) throws Throwable {
        return allocatedBy(guardedEngine(), door);
    }

    private static long allocatedBy(ResilientMethod engine, Door door) throws Throwable {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 50_000; i++) {
            door.call(engine);
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            door.call(engine);
        }
        return threads.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void executeThroughAClosedBreakerAndABudgetAllocatesNothing() throws Throwable {
        assertThat(allocatedBy(engine -> engine.execute(null, null, OK)))
                .as("bytes allocated by 100000 calls").isLessThan(1_000);
    }

    @Test
    void aDoorThatRunsTheFirstAttemptItselfAllocatesNothingThroughAClosedBreaker() throws Throwable {
        // what the AspectJ and Guice doors do on the happy path
        Door door = engine -> {
            if (!engine.admitFirstAttempt()) {
                return engine.execute(null, null, OK);
            }
            Object result = OK.invoke(null, null);
            engine.succeeded(ResilientMethod.UNTIMED);
            return result;
        };

        assertThat(allocatedBy(door)).as("bytes allocated by 100000 calls").isLessThan(1_000);
    }

    /**
     * Once the breaker has opened, a door's first attempt reads its start from the clock (which tells
     * the closed phase that let it through): still run by the door, still nothing allocated.
     */
    @Test
    void aCallThroughABreakerThatOpenedAndClosedAgainAllocatesNothing() throws Throwable {
        VirtualTimeSource time = new VirtualTimeSource();
        ResilientMethod engine = Chains.executorOf(MethodSpec.builder("Model.chat(String)", "Fake")
                .retry(RetryPolicy.builder().attempts(1).build())
                .circuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofSeconds(1)).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build())
                .budgetScope(Model.class.getName()).build());
        RuntimeException down = new java.io.UncheckedIOException(new java.io.IOException("503"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.execute(null, null, (c, a) -> {
            throw down;
        })).isSameAs(down);
        time.advance(Duration.ofSeconds(1));
        assertThat(engine.execute(null, null, OK)).isSameAs(RESULT); // the probe closes it
        assertThat(engine.admitFirstAttempt()).as("the door runs the first attempt").isTrue();
        assertThat(engine.start()).as("a clock reading").isNotEqualTo(ResilientMethod.UNTIMED);

        assertThat(allocatedBy(engine, e -> e.execute(null, null, OK))).as("bytes allocated by 100000 calls")
                .isLessThan(1_000);
    }

    /** A method returning a future, for the asynchronous chain. */
    interface AsyncModel {
        java.util.concurrent.CompletableFuture<String> chat(String prompt);
    }

    private static final java.util.concurrent.CompletableFuture<String> DONE =
            java.util.concurrent.CompletableFuture.completedFuture("ok");
    private static final Invoker DONE_OK = (context, args) -> DONE;

    /** {@link #guardedEngine()} for {@link AsyncModel}: a breaker and a budget on a CompletableFuture method. */
    private static ResilientMethod asyncEngine() throws NoSuchMethodException {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
                .build();
        RetryPolicy retry = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).budgetRatio(0.2).build();
        return Chains.executorOf(MethodSpec.builder("AsyncModel.chat(String)", "Fake")
                .shapeOf(AsyncModel.class, AsyncModel.class.getMethod("chat", String.class)).retry(retry)
                .circuitBreaker(CircuitBreakerPolicy.builder().build()).settings(settings)
                .budgetScope(AsyncModel.class.getName()).build());
    }

    @Test
    void anAsyncCallWhoseFirstAttemptSucceededAllocatesNothingThroughAClosedBreakerAndABudget() throws Throwable {
        ResilientMethod engine = asyncEngine();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 50_000; i++) {
            engine.execute(null, null, DONE_OK);
        }
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        Object last = null;
        for (int i = 0; i < 100_000; i++) {
            last = engine.execute(null, null, DONE_OK);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(last).as("the target's own future comes back").isSameAs(DONE);
        assertThat(allocated).as("bytes allocated by 100000 calls").isLessThan(1_000);
    }

    /**
     * A first attempt whose future is still pending when returned (an HTTP client's, usually) and then
     * succeeds: Rebound allocates the future it returns (which keeps what a retry would need) and the
     * JDK's subscription to the target's, nothing else: what the JDK's own cheapest dependent future
     * ({@code thenApply}) costs, plus that one future (measured against that floor on the same futures).
     */
    @Test
    @SuppressWarnings("unchecked")
    void anAsyncCallWhosePendingFirstAttemptSucceedsAllocatesOnlyTheFutureItReturns() throws Throwable {
        ResilientMethod engine = asyncEngine();
        java.util.concurrent.CompletableFuture<?>[] pending = new java.util.concurrent.CompletableFuture<?>[1];
        Invoker target = (context, args) -> pending[0] = new java.util.concurrent.CompletableFuture<String>();
        long rebound = allocatedBy(engine, e -> {
            Object returned = e.execute(null, null, target);
            ((java.util.concurrent.CompletableFuture<Object>) pending[0]).complete(RESULT);
            return returned;
        }) / 100_000;
        long floor = allocatedBy(engine, e -> {
            java.util.concurrent.CompletableFuture<Object> f = new java.util.concurrent.CompletableFuture<>();
            pending[0] = f;
            Object returned = f.thenApply(java.util.function.Function.identity());
            f.complete(RESULT);
            return returned;
        }) / 100_000;
        // on a 64-bit JVM with compressed references: 152 against 88, the returned future's 64 bytes
        assertThat(rebound).as("bytes per call (%d) against thenApply's (%d): the returned future alone more",
                rebound, floor).isLessThanOrEqualTo(floor + 64);
    }

    @Test
    void aMethodOnTheGlobalSettingsIsReadyToBeTracedAndStillAllocatesNothingWhileNoTracerIsSet() throws Throwable {
        ReboundSettings global = ReboundSettings.global();
        ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false).build());
        try {
            assertThat(allocatedBy(guardedEngine(null), engine -> engine.execute(null, null, OK)))
                    .as("bytes allocated by 100000 calls").isLessThan(1_000);
        } finally {
            ReboundSettings.setGlobal(global);
        }
    }

    @Test
    void aTracerThatRecordsNothingCostsNothingThoughTheChainRunsTheFirstAttempt() throws Throwable {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
                .tracer(new dev.rebound.runtime.observation.ObservationTracer(
                        io.micrometer.observation.ObservationRegistry.NOOP))
                .build();
        ResilientMethod engine = guardedEngine(settings);

        assertThat(engine.admitFirstAttempt()).isFalse();
        assertThat(allocatedBy(engine, e -> e.execute(null, null, OK))).as("bytes allocated by 100000 calls")
                .isLessThan(1_000);
    }
}
