package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.spi.MethodDiagnostics;
import dev.rebound.runtime.spi.MethodDiagnostics.CircuitState;
import dev.rebound.runtime.internal.ResilientProxy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Eight threads on one breaker: every transition once, no call through an open breaker beyond the probes. */
class CircuitBreakerConcurrencyTest {

    private static final int THREADS = 8;
    private static final int WINDOW = 8;
    private static final int PROBES = 2;

    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private final VirtualTimeSource time = new VirtualTimeSource();
    private final Events events = new Events();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** A target whose behaviour the test switches between phases. */
    static final class Switchable implements Model {
        enum Mode { FAIL, SUCCEED, HOLD }

        volatile Mode mode = Mode.SUCCEED;
        volatile CountDownLatch entered = new CountDownLatch(0);
        volatile CountDownLatch release = new CountDownLatch(0);
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String chat(String prompt) {
            calls.incrementAndGet();
            switch (mode) {
                case FAIL:
                    throw Model.outage();
                case HOLD:
                    entered.countDown();
                    try {
                        if (!release.await(10, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    return "ok";
                default:
                    return "ok";
            }
        }
    }

    /** Outcomes of one phase. */
    static final class Outcomes {
        final AtomicInteger succeeded = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
    }

    /** Runs {@code calls} calls on each of the eight threads, all starting together. */
    private Outcomes hammer(Model model, int calls, CountDownLatch onRefusal) throws Exception {
        Outcomes out = new Outcomes();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            done.add(pool.submit((Callable<Void>) () -> {
                start.await(10, TimeUnit.SECONDS);
                for (int i = 0; i < calls; i++) {
                    try {
                        model.chat("q");
                        out.succeeded.incrementAndGet();
                    } catch (CircuitBreakerOpenException e) {
                        out.refused.incrementAndGet();
                        onRefusal.countDown();
                    } catch (RuntimeException e) {
                        out.failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(20, TimeUnit.SECONDS);
        }
        return out;
    }

    private static MethodDiagnostics breakerOf(Model proxy) throws NoSuchMethodException {
        return ResilientProxy.policyOf(proxy, Model.class.getMethod("chat", String.class)).diagnostics();
    }

    @Test
    void roundsOfOutageAndRecoveryMakeEachTransitionExactlyOnce() throws Exception {
        Switchable target = new Switchable();
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.builder().requestVolumeThreshold(WINDOW)
                .failureRatio(0.5).delay(Duration.ofSeconds(1)).halfOpenProbes(PROBES).successThreshold(PROBES)
                .build();
        Model model = Rebound.wrap(Model.class, (Model) target).withCircuitBreaker(policy)
                .settings(events.settings(time)).build();
        MethodDiagnostics breaker = breakerOf(model);
        int rounds = 20;

        for (int round = 0; round < rounds; round++) {
            // the target goes down: the failures that open it (a fresh window must fill first; after
            // the closed phase it is full of successes and 4 failures of 8 do) plus at most the other
            // threads' calls already in flight reach it
            target.mode = Switchable.Mode.FAIL;
            int before = target.calls.get();
            Outcomes trip = hammer(model, 5, new CountDownLatch(0));
            int reached = target.calls.get() - before;
            int toOpen = round == 0 ? WINDOW : policy.failuresToOpen();
            assertThat(reached).isBetween(toOpen, toOpen + THREADS - 1);
            assertThat(trip.failed.get()).isEqualTo(reached);
            assertThat(trip.refused.get()).isEqualTo(THREADS * 5 - reached);
            assertThat(breaker.circuitState()).isEqualTo(CircuitState.OPEN);

            // open: nothing reaches it
            before = target.calls.get();
            Outcomes open = hammer(model, 5, new CountDownLatch(0));
            assertThat(target.calls.get()).isEqualTo(before);
            assertThat(open.refused.get()).isEqualTo(THREADS * 5);

            // half-open: eight threads at once, exactly PROBES get through
            time.advance(Duration.ofSeconds(1));
            target.mode = Switchable.Mode.HOLD;
            target.entered = new CountDownLatch(PROBES);
            target.release = new CountDownLatch(1);
            before = target.calls.get();
            CountDownLatch refusals = new CountDownLatch(THREADS - PROBES);
            Future<Outcomes> probing = pool.submit(() -> hammerOnce(model, refusals));
            assertThat(target.entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(refusals.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(target.calls.get() - before).isEqualTo(PROBES);
            assertThat(breaker.circuitState()).isEqualTo(CircuitState.HALF_OPEN);
            target.release.countDown();
            Outcomes probes = probing.get(20, TimeUnit.SECONDS);
            assertThat(probes.succeeded.get()).isEqualTo(PROBES);
            assertThat(probes.refused.get()).isEqualTo(THREADS - PROBES);
            assertThat(breaker.circuitState()).isEqualTo(CircuitState.CLOSED);

            // closed again: every call reaches it
            target.mode = Switchable.Mode.SUCCEED;
            before = target.calls.get();
            Outcomes closed = hammer(model, 5, new CountDownLatch(0));
            assertThat(closed.succeeded.get()).isEqualTo(THREADS * 5);
            assertThat(target.calls.get() - before).isEqualTo(THREADS * 5);
        }

        List<Kind> expected = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Collections.addAll(expected, Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN, Kind.CIRCUIT_CLOSED);
        }
        assertThat(events.transitions()).isEqualTo(expected);
    }

    /** The probe phase: one call per thread, run from a helper so the test thread can watch. */
    private Outcomes hammerOnce(Model model, CountDownLatch refusals) throws Exception {
        ExecutorService probers = Executors.newFixedThreadPool(THREADS);
        try {
            Outcomes out = new Outcomes();
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                done.add(probers.submit((Callable<Void>) () -> {
                    start.await(10, TimeUnit.SECONDS);
                    try {
                        model.chat("probe");
                        out.succeeded.incrementAndGet();
                    } catch (CircuitBreakerOpenException e) {
                        out.refused.incrementAndGet();
                        refusals.countDown();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
            return out;
        } finally {
            probers.shutdownNow();
        }
    }

    @Test
    void freeRunningThreadsLoseNoTransition() throws Exception {
        // the target is down for 200 ms of every 400 ms of virtual time; each call moves the clock 1 ms
        Model flapping = prompt -> {
            if ((time.nanoTime() / 200_000_000L) % 2 == 0) {
                throw Model.outage();
            }
            return "ok";
        };
        Model timed = prompt -> {
            time.advance(Duration.ofMillis(1));
            return flapping.chat(prompt);
        };
        CircuitBreakerPolicy policy = CircuitBreakerPolicy.builder().requestVolumeThreshold(WINDOW)
                .failureRatio(0.5).delay(Duration.ofMillis(50)).halfOpenProbes(PROBES).successThreshold(PROBES)
                .build();
        Model model = Rebound.wrap(Model.class, timed).withCircuitBreaker(policy)
                .settings(events.settings(time)).build();
        Model clockedCaller = prompt -> {
            time.advance(Duration.ofMillis(1));
            return model.chat(prompt);
        };

        hammer(clockedCaller, 5_000, new CountDownLatch(0));

        List<ReboundEvent> opened = events.of(Kind.CIRCUIT_OPENED);
        long fromClosed = opened.stream().filter(e -> e.reason().equals("failure-ratio")).count();
        long fromHalfOpen = opened.size() - fromClosed;
        long halfOpened = events.of(Kind.CIRCUIT_HALF_OPEN).size();
        long closed = events.of(Kind.CIRCUIT_CLOSED).size();
        CircuitState last = breakerOf(model).circuitState();
        assertThat(fromClosed).isGreaterThan(20);
        // each open period ended in half-open, each half-open in open or closed, each closed period in open
        assertThat(fromClosed + fromHalfOpen).isEqualTo(halfOpened + (last == CircuitState.OPEN ? 1 : 0));
        assertThat(halfOpened).isEqualTo(fromHalfOpen + closed + (last == CircuitState.HALF_OPEN ? 1 : 0));
        assertThat(1 + closed).isEqualTo(fromClosed + (last == CircuitState.CLOSED ? 1 : 0));
    }

    /**
     * Transitions reach the listeners in the order the breaker made them. The thread that opened the breaker
     * is held in the first listener (as a synchronous appender writing the opening's WARN line can be);
     * meanwhile another thread takes the breaker half-open and closed. The second listener (an audit, a
     * state kept from the events) hears the opening first and ends on closed, as the breaker is; the held
     * thread tells the later two once it is free, and the thread that made them is not held. (With the
     * MDC of the call that made each: {@code LogbackLevelsTest}.)
     */
    @Test
    void transitionEventsReachTheListenersInTheOrderOfTheTransitions() throws Exception {
        Switchable target = new Switchable();
        target.mode = Switchable.Mode.FAIL;
        CountDownLatch openingHeard = new CountDownLatch(1);
        CountDownLatch appenderDone = new CountDownLatch(1);
        ReboundListener slowAppender = event -> {
            if (event.kind() == Kind.CIRCUIT_OPENED && openingHeard.getCount() > 0) {
                openingHeard.countDown();
                try {
                    appenderDone.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        Model model = Rebound.wrap(Model.class, (Model) target)
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofSeconds(1)).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).listener(slowAppender)
                        .listener(events).build())
                .build();

        Future<Object> opener = pool.submit(() -> {
            try {
                return model.chat("opens it");
            } catch (RuntimeException e) {
                return e;
            }
        });
        assertThat(openingHeard.await(10, TimeUnit.SECONDS)).isTrue();
        time.advance(Duration.ofSeconds(1));
        target.mode = Switchable.Mode.SUCCEED;
        assertThat(model.chat("probe")).isEqualTo("ok");
        assertThat(breakerOf(model).circuitState()).isEqualTo(CircuitState.CLOSED);
        assertThat(events.transitions()).as("nothing overtakes the opening held in the first listener").isEmpty();
        appenderDone.countDown();
        assertThat(opener.get(10, TimeUnit.SECONDS)).isInstanceOf(java.io.UncheckedIOException.class);

        assertThat(events.transitions()).as("the transitions as the second listener heard them")
                .containsExactly(Kind.CIRCUIT_OPENED, Kind.CIRCUIT_HALF_OPEN, Kind.CIRCUIT_CLOSED);
    }
}
