package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.Fakes.BlockingTime;
import dev.rebound.runtime.Fakes.CallLog;
import dev.rebound.runtime.Fakes.ChatClient;
import dev.rebound.runtime.Fakes.ScriptedChat;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Semantics 4: an interrupt while waiting stops everything and keeps the flag. */
class InterruptTest {

    @Test
    void interruptWhileWaitingStopsAtOnceWithoutFurtherAttemptOrFallbackAndKeepsTheFlag() throws Exception {
        CallLog log = new CallLog();
        IOException first = new IOException("first");
        ScriptedChat primary = new ScriptedChat("primary", log).failingAlways(() -> first);
        ScriptedChat backup = new ScriptedChat("backup", log);
        BlockingTime time = new BlockingTime();
        List<ReboundEvent> events = java.util.Collections.synchronizedList(new ArrayList<>());
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        dev.rebound.runtime.observation.OtelTracing tracing = new dev.rebound.runtime.observation.OtelTracing();
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) primary)
                .withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ofSeconds(10)).build())
                .withFallbacks(backup)
                .settings(ReboundSettings.builder().timeSource(time).listener(events::add)
                        .listener(new dev.rebound.runtime.metrics.MicrometerListener(registry))
                        .tracer(new dev.rebound.runtime.observation.ObservationTracer(tracing.registry())).build())
                .build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagAfter = new AtomicBoolean();

        Thread caller = new Thread(() -> {
            try {
                llm.chat("q");
            } catch (Throwable t) {
                thrown.set(t);
            }
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        assertThat(time.sleeping.await(10, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(10_000);

        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isSameAs(first);
        assertThat(flagAfter.get()).isTrue();
        assertThat(log.calls).containsExactly("primary #1");
        assertThat(events).extracting(ReboundEvent::kind).containsExactly(ReboundEvent.Kind.ATTEMPT_FAILED,
                ReboundEvent.Kind.RETRY_SCHEDULED, ReboundEvent.Kind.INTERRUPTED, ReboundEvent.Kind.RETRIES_EXHAUSTED,
                ReboundEvent.Kind.FAILED);
        // the retries the interrupt stopped are counted as when the rule finds the flag set; in the trace the
        // attempt ended when its wait began, and shows the wait; the call ends as a failure
        assertThat(events.get(2).reason()).as("INTERRUPTED's reason, as events.md gives it").isEqualTo("interrupted");
        assertThat(events.get(3).reason()).isEqualTo("interrupted");
        assertThat(events.get(3).attempt()).isEqualTo(1);
        assertThat(registry.get(dev.rebound.runtime.metrics.MicrometerListener.RETRIES_STOPPED)
                .tag("reason", "interrupted").counter().count()).isEqualTo(1.0);
        assertThat(tracing.tree()).contains("rebound.wait.reason=backoff").contains("rebound.outcome=failure")
                .doesNotContain("attempt=2");
        tracing.close();
    }

    @Test
    void anAlreadyInterruptedThreadMakesNoFurtherAttempt() throws Exception {
        CallLog log = new CallLog();
        ScriptedChat primary = new ScriptedChat("primary", log).failingAlways(IOException::new);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) primary)
                .withRetry(RetryPolicy.builder().attempts(5).delay(Duration.ZERO).build())
                .settings(ReboundSettings.builder().logging(false).build()).build();

        Thread.currentThread().interrupt();
        try {
            llm.chat("q");
        } catch (IOException expected) {
            // the last failure
        }
        assertThat(Thread.interrupted()).isTrue();
        assertThat(log.calls).containsExactly("primary #1");
    }
}
