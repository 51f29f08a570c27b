package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.internal.Slf4jListener;
import dev.rebound.runtime.internal.chain.Reason;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.ResilientMethod;
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
        // 3 ATTEMPT_FAILED, 2 RETRY_SCHEDULED, 1 RETRIES_EXHAUSTED, 1 FALLBACK, 1 SUCCEEDED were asked about
        assertThat(picky.asked).isEqualTo(8);
    }

    @Test
    void aRetriedAndFallenBackCallBuildsNoEventWhenNoListenerWantsOne() throws Throwable {
        Picky nothing = new Picky(EnumSet.noneOf(Kind.class));
        ResilientMethod policy = policy(ReboundSettings.builder().logging(false).listener(nothing).build());
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

        assertThat(sink).isEqualTo(7L * 400_000);
        assertThat(nothing.received).isEmpty();
        assertThat(nothing.asked).isEqualTo(8L * 400_000);
        assertThat(perCall).isZero();
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
