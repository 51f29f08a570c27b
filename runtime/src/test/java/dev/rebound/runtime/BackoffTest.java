package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.Fakes.CallLog;
import dev.rebound.runtime.Fakes.ChatClient;
import dev.rebound.runtime.Fakes.ScriptedChat;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Semantics 6: waits are chosen exactly, capped, jittered within bounds, and bounded by the deadline. */
class BackoffTest {

    final VirtualTimeSource time = new VirtualTimeSource();
    final List<ReboundEvent> events = new ArrayList<>();
    final CallLog log = new CallLog();

    ChatClient wrap(ScriptedChat target, RetryPolicy policy) {
        return Rebound.wrap(ChatClient.class, (ChatClient) target).withRetry(policy)
                .settings(Fakes.settings(time, events)).build();
    }

    @Test
    void fiveAttemptsWithOneSecondWaitsFinishAtOnceWithTheExactWaits() throws Exception {
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failing(IOException::new, IOException::new,
                IOException::new, IOException::new);
        long before = System.nanoTime();

        String answer = wrap(gpt4, RetryPolicy.builder().attempts(5).delay(Duration.ofSeconds(1))
                .multiplier(2.0).jitter(false).build()).chat("q");

        assertThat(answer).isEqualTo("gpt-4: q");
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4), Duration.ofSeconds(8));
        // the 15 s of waits were virtual: far less real time passed, however loaded the machine
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(15));
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RETRY_SCHEDULED)
                .extracting(ReboundEvent::attempt).containsExactly(2, 3, 4, 5);
    }

    @Test
    void maxDelayCapsEveryWaitAndNeverOverflows() {
        RetryPolicy policy = RetryPolicy.builder().attempts(100).delay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofSeconds(30)).multiplier(10.0).jitter(false).build();
        Random random = new Random(1);

        assertThat(policy.waitNanos(1, random)).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(policy.waitNanos(2, random)).isEqualTo(Duration.ofSeconds(10).toNanos());
        assertThat(policy.waitNanos(3, random)).isEqualTo(Duration.ofSeconds(30).toNanos());
        assertThat(policy.waitNanos(99, random)).isEqualTo(Duration.ofSeconds(30).toNanos());
    }

    /**
     * {@code delay * multiplier^(n-1)}, whatever the unit: rounding each wait before multiplying it again
     * stalled waits of a few nanoseconds at the first one (1, 1, 1, 1, 1 ns).
     */
    @Test
    void theWaitsFollowDelayTimesMultiplierToTheNEvenInNanoseconds() {
        RetryPolicy policy = RetryPolicy.builder().attempts(6).delay(Duration.ofNanos(1)).multiplier(1.5)
                .jitter(false).build();
        Random random = new Random(1);

        assertThat(IntStream.rangeClosed(1, 5).mapToLong(n -> policy.waitNanos(n, random)).toArray())
                .containsExactly(1L, 1L, 2L, 3L, 5L); // 1, 1.5, 2.25, 3.375, 5.0625
    }

    @Test
    void equalJitterStaysWithinHalfToFullWaitAndSpreads() {
        RetryPolicy policy = RetryPolicy.builder().attempts(4).delay(Duration.ofMillis(1000)).multiplier(2.0)
                .jitter(true).build();
        Random random = new Random(7);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 20_000; i++) {
            long w = policy.waitNanos(3, random); // un-jittered: 4 s
            min = Math.min(min, w);
            max = Math.max(max, w);
        }
        assertThat(min).isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(max).isLessThanOrEqualTo(Duration.ofSeconds(4).toNanos());
        assertThat(min).isLessThan(Duration.ofMillis(2010).toNanos());
        assertThat(max).isGreaterThan(Duration.ofMillis(3990).toNanos());
    }

    @Test
    void zeroDelayMeansImmediateRetries() throws Exception {
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failing(IOException::new, IOException::new);

        wrap(gpt4, RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build()).chat("q");

        assertThat(time.sleeps()).isEmpty();
        assertThat(log.calls).hasSize(3);
    }

    @Test
    void noWaitIsEnteredThatWouldEndPastTheDeadline() {
        IOException last = new IOException("last");
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failing(IOException::new, IOException::new, () -> last);

        // waits 1 s, 2 s, 4 s: after 1 + 2 = 3 s, a 4 s wait would end at 7 s > 5 s
        Throwable thrown = catchThrowable(() -> wrap(gpt4, RetryPolicy.builder().attempts(10)
                .delay(Duration.ofSeconds(1)).jitter(false).maxDuration(Duration.ofSeconds(5)).build()).chat("q"));

        assertThat(thrown).isSameAs(last);
        assertThat(log.calls).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RETRIES_EXHAUSTED)
                .extracting(ReboundEvent::reason).containsExactly("deadline");
    }

    @Test
    void noAttemptStartsAfterTheDeadlineEvenWhenAttemptsAreSlow() {
        ScriptedChat slow = new ScriptedChat("slow", log) {
            @Override
            public synchronized String chat(String prompt) throws Exception {
                time.advance(Duration.ofSeconds(3));
                return super.chat(prompt);
            }
        }.failingAlways(IOException::new);

        catchThrowable(() -> wrap(slow, RetryPolicy.builder().attempts(10).delay(Duration.ZERO)
                .maxDuration(Duration.ofSeconds(5)).build()).chat("q"));

        assertThat(log.calls).containsExactly("slow #1", "slow #2");
    }

    @Test
    void aRetryAfterHintLengthensTheNextWait() throws Exception {
        ScriptedChat limited = new ScriptedChat("limited", log) {
            @Override
            public synchronized String chat(String prompt) throws Exception {
                if (attempts < 2) {
                    RetryAfter.suggest(Duration.ofSeconds(7 * (attempts + 1)));
                }
                return super.chat(prompt);
            }
        }.failing(IOException::new, IOException::new);

        wrap(limited, RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false)
                .maxDelay(Duration.ofSeconds(60)).build()).chat("q");

        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(14));
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RETRY_SCHEDULED)
                .extracting(ReboundEvent::reason).containsExactly("retry-after", "retry-after");
    }

    @Test
    void aRetryAfterHintBeyondMaxDelayStopsRetryingAndGoesToTheFallback() throws Exception {
        IOException refused = new IOException("429");
        ScriptedChat limited = new ScriptedChat("limited", log) {
            @Override
            public synchronized String chat(String prompt) throws Exception {
                RetryAfter.suggest(Duration.ofMinutes(10));
                return super.chat(prompt);
            }
        }.failingAlways(() -> refused);
        ScriptedChat backup = new ScriptedChat("backup", log);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) limited)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100))
                        .maxDelay(Duration.ofSeconds(60)).build())
                .withFallbacks(backup).settings(Fakes.settings(time, events)).build();

        assertThat(llm.chat("q")).isEqualTo("backup: q");
        assertThat(log.calls).containsExactly("limited #1", "backup #1");
        assertThat(time.sleeps()).isEmpty();
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RETRIES_EXHAUSTED)
                .extracting(ReboundEvent::reason).containsExactly("retry-after-exceeds-max-delay");
    }

    @Test
    void aRetryAfterHintShorterThanTheBackoffChangesNothing() throws Exception {
        ScriptedChat limited = new ScriptedChat("limited", log) {
            @Override
            public synchronized String chat(String prompt) throws Exception {
                RetryAfter.suggest(Duration.ofMillis(1));
                return super.chat(prompt);
            }
        }.failing(IOException::new);

        wrap(limited, RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(500)).jitter(false).build())
                .chat("q");

        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(500));
        RetryAfter.clear();
    }

    /**
     * A listener is user code run while a failure is handled, before its hint is taken: a resilient call
     * it makes (an alert through another wrapped client) starts by forgetting what is on the thread. The
     * outer call still waits its server's 2 s; and a hint the alert's own client leaves on the thread
     * (30 s, on a call that then succeeds) is not taken for the outer call's.
     */
    @Test
    void aResilientCallMadeByAListenerNeitherTakesNorLeavesTheFailingCallsRetryAfter() throws Exception {
        Model alerts = Rebound.wrap(Model.class, (Model) prompt -> {
            RetryAfter.suggest(Duration.ofSeconds(30));
            return "sent";
        }).withRetry(RetryPolicy.builder().attempts(2).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
        List<String> alerted = new ArrayList<>();
        ScriptedChat limited = new ScriptedChat("limited", log) {
            @Override
            public synchronized String chat(String prompt) throws Exception {
                if (attempts < 2) {
                    RetryAfter.suggest(Duration.ofSeconds(2));
                }
                return super.chat(prompt);
            }
        }.failing(IOException::new, IOException::new);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) limited)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false)
                        .maxDelay(Duration.ofSeconds(60)).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).listener(e -> {
                    events.add(e);
                    if (e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED) {
                        alerted.add(alerts.chat("attempt " + e.attempt() + " failed"));
                    }
                }).build()).build();

        assertThat(llm.chat("q")).isEqualTo("limited: q");

        assertThat(alerted).containsExactly("sent", "sent");
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RETRY_SCHEDULED)
                .extracting(ReboundEvent::reason).containsExactly("retry-after", "retry-after");
        RetryAfter.clear();
    }

    /**
     * Asking a listener what it wants of a call ({@code wantedKinds} once per call, or {@code wants} per
     * kind) is user code run while the failure is handled, before its hint is taken, as {@code onEvent}
     * is: a resilient lookup it makes (a feature flag through another wrapped client) starts by
     * forgetting what is on the thread. The failing call still waits its server's 2 s, not its 100 ms backoff.
     */
    @ParameterizedTest(name = "asked through {0}")
    @ValueSource(strings = {"wantedKinds", "wants"})
    void aResilientCallMadeWhileAListenerIsAskedWhatItWantsDoesNotForgetTheFailingCallsRetryAfter(String asked)
            throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        ChatClient flags = Rebound.wrap(ChatClient.class, (ChatClient) prompt -> {
            lookups.incrementAndGet();
            return "on";
        }).withRetry(RetryPolicy.builder().attempts(2).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).build()).build();
        ReboundListener dynamic = new ReboundListener() {
            @Override
            public void onEvent(ReboundEvent event) {
                events.add(event);
            }

            @Override
            public Set<ReboundEvent.Kind> wantedKinds() {
                return asked.equals("wantedKinds") ? (on(flags) ? EnumSet.allOf(ReboundEvent.Kind.class)
                        : EnumSet.noneOf(ReboundEvent.Kind.class)) : null;
            }

            @Override
            public boolean wants(ReboundEvent.Kind kind) {
                return on(flags);
            }
        };
        ScriptedChat limited = new ScriptedChat("limited", log) {
            @Override
            public synchronized String chat(String prompt) throws Exception {
                if (attempts < 1) {
                    RetryAfter.suggest(Duration.ofSeconds(2));
                }
                return super.chat(prompt);
            }
        }.failing(IOException::new);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) limited)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false)
                        .maxDelay(Duration.ofSeconds(60)).build())
                .settings(ReboundSettings.builder().timeSource(time).logging(false).listener(dynamic).build()).build();

        assertThat(llm.chat("q")).isEqualTo("limited: q");

        // once per call; or once per kind: attempt-failed, retry-scheduled, succeeded
        assertThat(lookups.get()).as("the listener's lookups").isEqualTo(asked.equals("wantedKinds") ? 1 : 3);
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(2));
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.RETRY_SCHEDULED)
                .extracting(ReboundEvent::reason).containsExactly("retry-after");
        RetryAfter.clear();
    }

    private static boolean on(ChatClient flags) {
        try {
            return "on".equals(flags.chat("events"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
