package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.internal.chain.Chains;
import dev.rebound.runtime.internal.chain.MethodSpec;
import dev.rebound.runtime.observation.CallTrace;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A method on the global settings has a traced chain and a plain one; each call takes the one the
 * settings it reads live need, so a tracer set (or removed) between calls applies from the next call.
 * A call in flight when {@code setGlobal} replaces them is traced whole or not at all, and timed on one
 * scale across the change of clock.
 */
class LiveTracingTest {

    private final ReboundSettings global = ReboundSettings.global();

    @AfterEach
    void restoreGlobal() {
        ReboundSettings.setGlobal(global);
    }

    /** Writes down every call of the traces it starts, in order. */
    private static final class Recording implements CallTrace {
        final List<String> seen;

        Recording(List<String> seen) {
            this.seen = seen;
        }

        @Override
        public void attemptStarted(String target, int attempt) {
            seen.add("attempt " + attempt + " on " + target);
        }

        @Override
        public void attemptFailed(Throwable failure) {
            seen.add("failed " + failure.getClass().getSimpleName());
        }

        @Override
        public void attemptSucceeded() {
            seen.add("succeeded");
        }

        @Override
        public void retryScheduled(long waitNanos, String reason) {
            seen.add("retry (" + reason + ")");
        }

        @Override
        public void ended(String outcome, Throwable failure) {
            seen.add("ended " + outcome);
        }
    }

    /** Fails its first attempt of each call (odd invocations), answers the retry. */
    private static Invoker failingOnce() {
        int[] invocations = {0};
        return (context, args) -> {
            if (invocations[0]++ % 2 == 0) {
                throw new IOException("down");
            }
            return "ok";
        };
    }

    @Test
    void aTracerSetOrRemovedBetweenCallsAppliesFromTheNextCall() throws Throwable {
        ReboundSettings quiet = ReboundSettings.builder().logging(false).build();
        ReboundSettings.setGlobal(quiet);
        ResilientMethod method = Chains.executorOf(MethodSpec.builder("Model.chat(String)", "Fake")
                .retry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build()).build());
        Invoker target = failingOnce();
        List<String> seen = new ArrayList<>();
        List<String> started = new ArrayList<>();

        assertThat(method.execute(null, null, target)).isEqualTo("ok");
        ReboundSettings.setGlobal(quiet.toBuilder().tracer(m -> {
            started.add(m);
            return new Recording(seen);
        }).build());
        assertThat(method.execute(null, null, target)).isEqualTo("ok");
        ReboundSettings.setGlobal(quiet);
        assertThat(method.execute(null, null, target)).isEqualTo("ok");

        assertThat(started).containsExactly("Model.chat(String)");
        assertThat(seen).containsExactly("attempt 1 on Fake", "failed IOException", "retry (backoff)",
                "attempt 2 on Fake", "succeeded", "ended success_after_retry");
    }

    public interface Chat {
        String chat(String prompt) throws IOException;
    }

    public interface AsyncChat {
        CompletableFuture<String> chat(String prompt);
    }

    /** Two test clocks at unrelated origins (an origin is arbitrary: VirtualTimeSource's Javadoc); neither moves. */
    private final VirtualTimeSource before = new VirtualTimeSource(0L);
    private final VirtualTimeSource after = new VirtualTimeSource(3_600_000_000_000L);

    /**
     * No time passes on either clock during the call, so its 10 s maxDuration is not over when attempt 1
     * fails: its start, read on the old clock, is measured on one scale with the new one, not against it.
     */
    @Test
    void aCallInFlightWhenTheGlobalClockIsReplacedKeepsItsRetries() throws Exception {
        ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(before).logging(false).build());
        ReboundSettings next = ReboundSettings.builder().timeSource(after).logging(false).build();
        AtomicInteger attempts = new AtomicInteger();
        Chat target = p -> {
            if (attempts.incrementAndGet() == 1) {
                ReboundSettings.setGlobal(next); // another thread's setGlobal, while attempt 1 is in flight
                throw new IOException("503");
            }
            return "ok";
        };
        Chat chat = Rebound.wrap(Chat.class, target).withRetry(RetryPolicy.builder().attempts(3)
                .delay(Duration.ZERO).maxDuration(Duration.ofSeconds(10)).build()).build();

        assertThat(chat.chat("hi")).isEqualTo("ok");
        assertThat(attempts).hasValue(2);
    }

    /** A listener that times first-attempt successes. */
    private static ReboundListener timer(List<Long> timed) {
        return new ReboundListener() {
            @Override
            public void onEvent(ReboundEvent event) {
            }

            @Override
            public boolean wantsFirstAttemptSuccess() {
                return true;
            }

            @Override
            public void onFirstAttemptSuccess(String method, String target, long nanos) {
                timed.add(nanos);
            }
        };
    }

    /** A first attempt that takes no time on either clock, during which the global settings change clock. */
    @Test
    void aFirstAttemptStraddlingSetGlobalIsTimedOnOneScale() throws Exception {
        List<Long> timed = new CopyOnWriteArrayList<>();
        ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(before).logging(false).listener(timer(timed))
                .build());
        ReboundSettings next = ReboundSettings.builder().timeSource(after).logging(false).listener(timer(timed))
                .build();
        Chat target = p -> {
            ReboundSettings.setGlobal(next);
            return "ok";
        };
        Chat chat = Rebound.wrap(Chat.class, target).withRetry(RetryPolicy.builder().attempts(2)
                .delay(Duration.ZERO).build()).build();

        assertThat(chat.chat("hi")).isEqualTo("ok");
        after.advance(Duration.ofMillis(7));
        assertThat(chat.chat("hi")).isEqualTo("ok"); // on the new clock alone, which moves 7 ms after the switch
        assertThat(timed).containsExactly(0L, 0L);
    }

    /**
     * A tracer set while attempt 1 of a call is in flight: the door ran that attempt untraced, so the rest
     * of the call is not traced either (a trace without the attempt the call began with would misreport
     * it); the next call is traced whole.
     */
    @Test
    void aTracerSetDuringACallTracesItNotAtAllAndTheNextCallWhole() throws Exception {
        ReboundSettings quiet = ReboundSettings.builder().logging(false).build();
        ReboundSettings.setGlobal(quiet);
        List<String> seen = new ArrayList<>();
        ReboundSettings traced = quiet.toBuilder().tracer(m -> new Recording(seen)).build();
        AtomicInteger attempts = new AtomicInteger();
        Chat target = p -> {
            if (attempts.incrementAndGet() % 2 == 1) {
                ReboundSettings.setGlobal(traced);
                throw new IOException("503");
            }
            return "ok";
        };
        Chat chat = Rebound.wrap(Chat.class, target).withRetry(RetryPolicy.builder().attempts(3)
                .delay(Duration.ZERO).build()).build();

        assertThat(chat.chat("hi")).isEqualTo("ok");
        assertThat(seen).as("the call the tracer was set during").isEmpty();
        assertThat(chat.chat("hi")).isEqualTo("ok");
        assertThat(seen).containsExactly("attempt 1 on LiveTracingTest$$Lambda", "failed IOException",
                "retry (backoff)", "attempt 2 on LiveTracingTest$$Lambda", "succeeded", "ended success_after_retry");
    }

    /**
     * An asynchronous call keeps the settings it started with: a clock and a tracer set while its first
     * attempt is in flight neither cut its 10 s maxDuration short nor trace the rest of it.
     */
    @Test
    void anAsyncCallInFlightWhenTheGlobalSettingsAreReplacedRunsOnTheSettingsItStartedWith() throws Exception {
        ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(before).logging(false).build());
        List<String> seen = new ArrayList<>();
        ReboundSettings next = ReboundSettings.builder().timeSource(after).logging(false)
                .tracer(m -> new Recording(seen)).build();
        AtomicInteger attempts = new AtomicInteger();
        AsyncChat target = p -> {
            if (attempts.incrementAndGet() == 1) {
                ReboundSettings.setGlobal(next);
                return CompletableFuture.failedFuture(new IOException("503"));
            }
            return CompletableFuture.completedFuture("ok");
        };
        AsyncChat chat = Rebound.wrap(AsyncChat.class, target).withRetry(RetryPolicy.builder().attempts(3)
                .delay(Duration.ZERO).maxDuration(Duration.ofSeconds(10)).build()).build();

        CompletableFuture<String> answer = chat.chat("hi");
        before.runScheduled(); // its wait before attempt 2 is scheduled on the clock it started with
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(attempts).hasValue(2);
        assertThat(seen).isEmpty();
    }

    public interface Guarded {
        String chat(String prompt) throws IOException;
    }

    /**
     * A breaker that opened and closed again on one clock keeps counting the door's first attempts after
     * setGlobal brings another clock, whichever clock's origin is the larger: its phases and the door's
     * starts are read on one scale (LiveClock). Before, a closed phase begun on the old clock compared
     * the new clock's starts with its own, and with the new origin below the old one counted no failure.
     */
    @Test
    void aBreakerThatClosedAgainBeforeTheGlobalClockChangedStillOpensOnTheFailuresAfterIt() {
        for (long[] origins : new long[][] {{3_600_000_000_000L, 0L}, {0L, 3_600_000_000_000L}}) {
            VirtualTimeSource before = new VirtualTimeSource(origins[0]);
            VirtualTimeSource after = new VirtualTimeSource(origins[1]);
            ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(before).logging(false).build());
            boolean[] healthy = {false};
            AtomicInteger calls = new AtomicInteger();
            Guarded chat = Rebound.wrap(Guarded.class, (Guarded) p -> {
                calls.incrementAndGet();
                if (healthy[0]) {
                    return "ok";
                }
                throw new IOException("503");
            }).withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                    .delay(Duration.ofSeconds(5)).build()).build();

            fails(chat);
            fails(chat); // opens
            before.advance(Duration.ofSeconds(6));
            healthy[0] = true;
            assertThat(call(chat)).isEqualTo("ok"); // the probe closes it again
            healthy[0] = false;
            ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(after).logging(false).build());
            fails(chat);
            fails(chat); // a window of 2 failures: opens again
            int reached = calls.get();

            assertThat(call(chat)).as("origins " + origins[0] + " then " + origins[1])
                    .isEqualTo("refused: " + CircuitBreakerOpenException.class.getSimpleName());
            assertThat(calls.get()).isEqualTo(reached);
            after.advance(Duration.ofSeconds(6));
            healthy[0] = true;
            assertThat(call(chat)).as("its open time counted on the new clock").isEqualTo("ok");
        }
    }

    private static void fails(Guarded chat) {
        assertThat(call(chat)).isEqualTo("failed: 503");
    }

    private static String call(Guarded chat) {
        try {
            return chat.chat("q");
        } catch (CircuitBreakerOpenException e) {
            return "refused: " + e.getClass().getSimpleName();
        } catch (IOException e) {
            return "failed: " + e.getMessage();
        }
    }

    public interface Answering {
        @dev.rebound.annotations.Fallback(to = Stubbed.class)
        String answer(String q) throws IOException;
    }

    public static class Stubbed implements Answering {
        @Override
        public String answer(String q) {
            return "stub";
        }
    }

    /**
     * A policy on the global settings keeps the alternatives it was given: a resolver that setGlobal
     * brings after the previous one made some is never asked for them. Said once, naming the classes, when
     * either resolver is one the user gave; one default resolver for another says nothing.
     */
    @Test
    void aResolverReplacedAfterItMadeAlternativesIsSaidOnceWithTheClassesItMade() {
        List<Class<?>> askedOfTheFirst = new ArrayList<>();
        ReboundSettings first = ReboundSettings.builder().logging(false).alternatives(type -> {
            askedOfTheFirst.add(type);
            return new Stubbed();
        }).build();
        ReboundSettings.setGlobal(first);
        Answering wrapped = Rebound.wrap(Answering.class, (Answering) q -> {
            throw new IOException("down");
        }).build();
        ReboundSettings second = ReboundSettings.builder().logging(false).alternatives(type -> new Stubbed()).build();

        String log = StdErr.during(() -> {
            ReboundSettings.setGlobal(second);
            ReboundSettings.setGlobal(second);
            ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).build());
        });

        assertThat(askedOfTheFirst).containsExactly(Stubbed.class);
        assertThat(log.lines().filter(l -> l.contains("alternatives resolver"))).containsExactly("[main] WARN"
                + " dev.rebound - ReboundSettings.setGlobal: the new settings' alternatives resolver is not asked for"
                + " the alternatives the previous one made for policies resolved before (" + Stubbed.class.getName()
                + "): those policies keep them. Set the resolver before the first call of a woven class (or the"
                + " build of a wrapper on the global settings)");
        String quiet = StdErr.during(() -> {
            ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).build());
            Rebound.wrap(Answering.class, (Answering) q -> "primary").build();
            ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).build());
        });
        assertThat(quiet).as("one default resolver for another").doesNotContain("alternatives resolver");
        assertThat(wrapped).isNotNull();
    }
}
