package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.internal.Slf4jListener;
import dev.rebound.runtime.internal.chain.Reason;
import dev.rebound.runtime.internal.chain.RefusalAwareListener;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import dev.rebound.runtime.internal.ResilientProxy;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Events are built only for listeners that want their kind; reasons keep their wire strings. */
class EventDemandTest {

    interface Counter {
        int next(int i);
    }

    /** Keeps the events of the kinds it wants and counts every question it is asked. */
    static final class Picky implements ReboundListener {
        final Set<Kind> wanted;
        final List<ReboundEvent> received = new ArrayList<>();
        long asked;

        Picky(Set<Kind> wanted) {
            this.wanted = wanted;
        }

        @Override
        public boolean wants(Kind kind) {
            asked++;
            return wanted.contains(kind);
        }

        @Override
        public void onEvent(ReboundEvent event) {
            received.add(event);
        }
    }

    private static ResilientMethod policy(ReboundSettings settings) throws NoSuchMethodException {
        Counter target = i -> i;
        Counter backup = i -> 7;
        return ResilientProxy.policyOf(Rebound.wrap(Counter.class, target)
                        .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build())
                        .withFallbacks(backup).settings(settings).build(),
                Counter.class.getMethod("next", int.class));
    }

    /**
     * Bytes this thread allocates per call of {@code policy} whose every attempt fails with one
     * pre-allocated exception and whose fallback answers, over 300000 calls after 100000 to warm up.
     */
    private static long bytesPerFallenBackCall(ResilientMethod policy) throws Throwable {
        IOException preallocated = new IOException("pre-allocated");
        Invoker down = (context, args) -> {
            throw preallocated;
        };
        Object[] args = {1};
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long sink = 0;
        for (int i = 0; i < 100_000; i++) {
            sink += (Integer) policy.execute(null, args, down);
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 300_000; i++) {
            sink += (Integer) policy.execute(null, args, down);
        }
        long perCall = (mx.getThreadAllocatedBytes(tid) - before) / 300_000;
        assertThat(sink).as("every call answered by the fallback").isEqualTo(7L * 400_000);
        return perCall;
    }

    @Test
    void aListenerIsGivenOnlyTheKindsItWants() throws Throwable {
        Picky picky = new Picky(EnumSet.of(Kind.FALLBACK, Kind.SUCCEEDED));
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(picky).build());
        IOException down = new IOException("down");

        Object result = policy.execute(null, new Object[] {1}, (context, args) -> {
            throw down;
        });

        assertThat(result).isEqualTo(7);
        assertThat(picky.received).extracting(ReboundEvent::kind).containsExactly(Kind.FALLBACK, Kind.SUCCEEDED);
        // 3 ATTEMPT_FAILED, 2 RETRY_SCHEDULED, 1 RETRIES_EXHAUSTED, 1 FALLBACK, 1 SUCCEEDED: asked once per kind
        assertThat(picky.asked).isEqualTo(5);
    }

    @Test
    void aRetriedAndFallenBackCallBuildsNoEventWhenNoListenerWantsOne() throws Throwable {
        Picky nothing = new Picky(EnumSet.noneOf(Kind.class));
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(nothing).build());
        long perCall = bytesPerFallenBackCall(policy);

        assertThat(nothing.received).isEmpty();
        assertThat(nothing.asked).as("once per kind and call").isEqualTo(5L * 400_000);
        assertThat(perCall).isZero();
    }

    /** Answers its whole demand at once, from a field a test changes; counts the questions. */
    static final class Switchable implements ReboundListener {
        volatile Set<Kind> now;
        final List<ReboundEvent> received = new ArrayList<>();
        int asked;
        int askedPerKind;
        Runnable onFallback = () -> { };

        Switchable(Set<Kind> now) {
            this.now = now;
        }

        @Override
        public Set<Kind> wantedKinds() {
            asked++;
            return now;
        }

        @Override
        public boolean wants(Kind kind) {
            askedPerKind++;
            return true;
        }

        @Override
        public void onEvent(ReboundEvent event) {
            received.add(event);
            if (event.kind() == Kind.FALLBACK) {
                onFallback.run();
            }
        }
    }

    private static final Invoker DOWN = (context, args) -> {
        throw new IOException("down");
    };

    @Test
    void aCallAsksForTheWholeDemandOnceAndKeepsItUntilItEnds() throws Throwable {
        Set<Kind> fallbacks = EnumSet.of(Kind.FALLBACK);
        Switchable listener = new Switchable(fallbacks);
        // the demand changes during the call, at its FALLBACK event: that call keeps the answer it got
        listener.onFallback = () -> listener.now = EnumSet.allOf(Kind.class);
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(listener).build());

        assertThat(policy.execute(null, new Object[] {1}, DOWN)).isEqualTo(7);

        assertThat(listener.asked).as("asked once for a call of 8 events").isEqualTo(1);
        assertThat(listener.askedPerKind).as("a listener with a set is never asked per kind").isZero();
        assertThat(listener.received).extracting(ReboundEvent::kind).containsExactly(Kind.FALLBACK);
    }

    @Test
    void theNextCallHonoursADemandChangedSinceTheLastOne() throws Throwable {
        Switchable listener = new Switchable(EnumSet.noneOf(Kind.class));
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(listener).build());

        policy.execute(null, new Object[] {1}, DOWN);
        assertThat(listener.received).isEmpty();
        listener.now = EnumSet.of(Kind.RETRY_SCHEDULED, Kind.SUCCEEDED);
        policy.execute(null, new Object[] {1}, DOWN);
        listener.now = EnumSet.of(Kind.FALLBACK);
        policy.execute(null, new Object[] {1}, DOWN);

        assertThat(listener.asked).isEqualTo(3);
        assertThat(listener.received).extracting(ReboundEvent::kind)
                .containsExactly(Kind.RETRY_SCHEDULED, Kind.RETRY_SCHEDULED, Kind.SUCCEEDED, Kind.FALLBACK);
    }

    @Test
    void aCallThatSucceedsAtOnceAsksNoListenerAnything() throws Throwable {
        Switchable listener = new Switchable(EnumSet.allOf(Kind.class));
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(listener).build());

        assertThat(policy.execute(null, new Object[] {5}, (context, args) -> args[0])).isEqualTo(5);

        assertThat(listener.asked).isZero();
        assertThat(listener.received).isEmpty();
    }

    @Test
    void eachListenerIsAskedItsOwnWayAndGetsOnlyWhatItWants() throws Throwable {
        Switchable whole = new Switchable(EnumSet.of(Kind.SUCCEEDED));
        Picky perKind = new Picky(EnumSet.of(Kind.FALLBACK));
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(whole).listener(perKind)
                .build());

        policy.execute(null, new Object[] {1}, DOWN);
        policy.execute(null, new Object[] {1}, DOWN);

        assertThat(whole.asked).isEqualTo(2);
        assertThat(whole.received).extracting(ReboundEvent::kind).containsExactly(Kind.SUCCEEDED, Kind.SUCCEEDED);
        assertThat(perKind.asked).as("5 kinds per call").isEqualTo(10);
        assertThat(perKind.received).extracting(ReboundEvent::kind).containsExactly(Kind.FALLBACK, Kind.FALLBACK);
        assertThat(whole.received.get(0).method()).isEqualTo("Counter.next(int)");
    }

    @Test
    void aListenerWhoseDemandThrowsGetsNothingFromThatCallAndTheCallGoesOn() throws Throwable {
        Picky other = new Picky(EnumSet.of(Kind.SUCCEEDED));
        ReboundListener broken = new ReboundListener() {
            @Override
            public Set<Kind> wantedKinds() {
                throw new IllegalStateException("broken");
            }

            @Override
            public void onEvent(ReboundEvent event) {
                throw new AssertionError("given an event it never asked for");
            }
        };
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(broken).listener(other)
                .build());

        assertThat(policy.execute(null, new Object[] {1}, DOWN)).isEqualTo(7);
        assertThat(other.received).extracting(ReboundEvent::kind).containsExactly(Kind.SUCCEEDED);
    }

    /** Asked per kind, as a whole it throws {@code error}: the {@code Error} of a broken listener. */
    static ReboundListener demandThrows(Error error) {
        return new ReboundListener() {
            @Override
            public Set<Kind> wantedKinds() {
                throw error;
            }

            @Override
            public void onEvent(ReboundEvent event) {
            }
        };
    }

    /**
     * A listener's {@code Error} while the call's demand is asked (after an earlier listener wanted something,
     * so the call state was borrowed) reaches the caller, the thread's spare call state given back: the
     * fallen-back calls after it, observed by a listener, borrow it and allocate nothing.
     */
    @Test
    void aListenersErrorFromItsDemandAtAFailedFirstAttemptLeavesTheThreadsSpareCallStateFree() throws Throwable {
        AssertionError broken = new AssertionError("listener broken");
        ResilientMethod other = policy(ReboundSettings.builder().logging(false)
                .listener(new Picky(EnumSet.noneOf(Kind.class))).listener(demandThrows(broken)).build());

        assertThat(catchThrowable(() -> other.execute(null, new Object[] {1}, DOWN))).isSameAs(broken);

        Picky nothing = new Picky(EnumSet.noneOf(Kind.class));
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(nothing).build());
        assertThat(bytesPerFallenBackCall(policy)).as("bytes per later fallen-back call on this thread").isZero();
    }

    /** The same through a door that retries the primary itself: its first failure asks the listeners. */
    @Test
    void aListenersErrorFromItsDemandWhenADoorRetriesItselfLeavesTheThreadsSpareCallStateFree() throws Throwable {
        AssertionError broken = new AssertionError("listener broken");
        ResilientMethod other = policy(ReboundSettings.builder().logging(false)
                .listener(new Picky(EnumSet.noneOf(Kind.class))).listener(demandThrows(broken)).build());
        IOException down = new IOException("down");

        assertThat(catchThrowable(() -> other.retryNow(null, down, down, 1, ResilientMethod.UNTIMED)))
                .isSameAs(broken);

        Picky nothing = new Picky(EnumSet.noneOf(Kind.class));
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(nothing).build());
        assertThat(bytesPerFallenBackCall(policy)).as("bytes per later fallen-back call on this thread").isZero();
    }

    @Test
    void aRetriedAndFallenBackCallAsksAnEmptyDemandOnceAndAllocatesNothing() throws Throwable {
        Switchable nothing = new Switchable(EnumSet.noneOf(Kind.class));
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(nothing).build());
        long perCall = bytesPerFallenBackCall(policy);

        assertThat(nothing.received).isEmpty();
        assertThat(nothing.asked).isEqualTo(400_000);
        assertThat(perCall).isZero();
    }

    @Test
    void theLoggingListenerAsksItsLoggerOncePerCallAndAnswersEachKindAlike() {
        // slf4j-simple's default level in these tests is INFO
        Set<Kind> atInfo = Slf4jListener.INSTANCE.wantedKinds();
        assertThat(atInfo).containsExactlyInAnyOrder(Kind.RETRY_SCHEDULED, Kind.SUCCEEDED, Kind.CIRCUIT_CLOSED,
                Kind.RATE_LIMIT_REFUSED, Kind.FALLBACK, Kind.FAILED, Kind.INTERRUPTED, Kind.CIRCUIT_OPENED,
                Kind.STREAM_BROKEN);
        for (Kind kind : Kind.values()) {
            assertThat(Slf4jListener.INSTANCE.wants(kind)).as(kind.name()).isEqualTo(atInfo.contains(kind));
        }
    }

    @Test
    void theLoggingListenerWantsWhatItsLoggerWouldPrint() {
        // slf4j-simple's default level in these tests is INFO
        ReboundListener log = Slf4jListener.INSTANCE;
        assertThat(log.wants(Kind.ATTEMPT_FAILED)).isFalse();
        assertThat(log.wants(Kind.RETRIES_EXHAUSTED)).isFalse();
        assertThat(log.wants(Kind.CIRCUIT_HALF_OPEN)).isFalse();
        assertThat(log.wants(Kind.RETRY_SCHEDULED)).isTrue();
        assertThat(log.wants(Kind.SUCCEEDED)).isTrue();
        assertThat(log.wants(Kind.FALLBACK)).isTrue();
        assertThat(log.wants(Kind.FAILED)).isTrue();
        assertThat(log.wants(Kind.CIRCUIT_OPENED)).isTrue();
    }

    /** Wants FALLBACK and SUCCEEDED; of a call an open circuit refused, what {@code whenRefused} says. */
    static final class TellsRefusalsApart implements RefusalAwareListener {
        final Set<Kind> wanted = EnumSet.of(Kind.FALLBACK, Kind.SUCCEEDED);
        volatile Set<Kind> whenRefused = EnumSet.noneOf(Kind.class);
        final List<String> received = new ArrayList<>();

        @Override
        public Set<Kind> wantedKinds() {
            return wanted;
        }

        @Override
        public Set<Kind> wantedWhenRefused(Set<Kind> asked) {
            assertThat(asked).isSameAs(wanted);
            return whenRefused;
        }

        @Override
        public void onEvent(ReboundEvent event) {
            received.add(event.kind() + " " + event.reason());
        }

        @Override
        public void onRefusedEvent(ReboundEvent event) {
            received.add("refused " + event.kind() + " " + event.reason());
        }
    }

    @Test
    void aCallAnOpenCircuitRefusedReachesAListenerThatTellsRefusalsApartOnlyAsItAsks() throws Throwable {
        TellsRefusalsApart apart = new TellsRefusalsApart();
        Picky other = new Picky(EnumSet.of(Kind.FALLBACK, Kind.SUCCEEDED));
        Counter backup = i -> 7;
        Counter chat = Rebound.wrap(Counter.class, (Counter) i -> {
                    throw new IllegalStateException("down");
                })
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofMinutes(1)).build())
                .withFallbacks(backup)
                .settings(ReboundSettings.builder().logging(false).timeSource(new VirtualTimeSource()).listener(apart)
                        .listener(other).build()).build();

        assertThat(chat.next(1)).isEqualTo(7); // fails, opens the circuit, falls back
        assertThat(chat.next(1)).isEqualTo(7); // refused
        apart.whenRefused = EnumSet.of(Kind.SUCCEEDED);
        assertThat(chat.next(1)).isEqualTo(7); // refused

        assertThat(apart.received).containsExactly("FALLBACK null", "SUCCEEDED fallback",
                "refused SUCCEEDED fallback");
        assertThat(other.received).extracting(e -> e.kind() + " " + e.reason()).containsExactly("FALLBACK null",
                "SUCCEEDED fallback", "FALLBACK circuit-open", "SUCCEEDED fallback", "FALLBACK circuit-open",
                "SUCCEEDED fallback");
    }

    /** Counts its wantedKinds questions and keeps every event. */
    static final class AsksOncePerCall implements ReboundListener {
        final List<ReboundEvent> received = new ArrayList<>();
        int asked;

        @Override
        public Set<Kind> wantedKinds() {
            asked++;
            return null;
        }

        @Override
        public void onEvent(ReboundEvent event) {
            received.add(event);
        }
    }

    public interface Chat {
        String chat(String prompt);
    }

    /** ReboundListener.onEvent and ReboundEvent.waitTime: a rate limit's events come from any call. */
    @Test
    void aCallThatSucceedsAtOnceThroughARateLimitGivesItsRateLimitEventsTheWaitIncluded() {
        AsksOncePerCall listener = new AsksOncePerCall();
        VirtualTimeSource clock = new VirtualTimeSource();
        Chat chat = Rebound.wrap(Chat.class, (Chat) p -> "ok")
                .withRateLimit(RateLimitPolicy.builder().requestsPerMinute(1).tokensPerMinute(100_000)
                        .maxDelay(Duration.ofMinutes(2)).build())
                .settings(ReboundSettings.builder().logging(false).timeSource(clock).listener(listener).build())
                .build();

        assertThat(chat.chat("a")).isEqualTo("ok");
        assertThat(chat.chat("b")).isEqualTo("ok"); // held back a minute, then its first attempt answers

        assertThat(listener.received).extracting(ReboundEvent::kind).containsExactly(
                Kind.RATE_LIMIT_TOKENS_CHARGED, Kind.RATE_LIMIT_WAITED, Kind.RATE_LIMIT_TOKENS_CHARGED);
        assertThat(listener.received).extracting(ReboundEvent::attempt).containsOnly(1);
        assertThat(listener.received).extracting(ReboundEvent::waitTime)
                .containsExactly(Duration.ZERO, Duration.ofMinutes(1), Duration.ZERO);
        assertThat(listener.received).extracting(ReboundEvent::tokens).containsExactly(257L, 0L, 257L);
        assertThat(listener.asked).as("wantedKinds, once per call").isEqualTo(2);
    }

    @Test
    void aListenerWrittenBeforeWantsExistedStillGetsEveryKind() {
        ReboundListener old = event -> { };
        for (Kind kind : Kind.values()) {
            assertThat(old.wants(kind)).isTrue();
        }
    }

    @Test
    void reasonsKeepTheirWireStrings() {
        List<String> wire = new ArrayList<>();
        for (Reason r : Reason.values()) {
            wire.add(r.wire());
        }
        // the old strings stay as they were; new reasons are added, never reused
        assertThat(wire).containsSubsequence("backoff", "retry-after", "not-retryable", "attempts", "deadline",
                "interrupted", "circuit-open", "budget", "retry-after-exceeds-max-delay", "retry", "fallback",
                "failure-ratio", "probe-failed", "cancelled", "rate-limited", "rate-limit-exceeds-max-delay", "fleet",
                "quota-exhausted", "server-declined-retry", "result-rejected", "timeout").doesNotHaveDuplicates();
    }
}
