package dev.rebound.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.FallbackContext;
import dev.rebound.runtime.FallbackHandler;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MicrometerListenerTest {

    /** The resilient interface of the scripted run. */
    public interface ChatApi {
        String chat(String prompt) throws IOException;
    }

    /** "ok": answers; "flaky-*": fails once per prompt, then answers; anything else: always fails. */
    static final class Primary implements ChatApi {
        final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

        @Override
        public String chat(String prompt) throws IOException {
            if (prompt.equals("ok") || prompt.startsWith("flaky") && !failedOnce.add(prompt)) {
                return "primary";
            }
            throw new IOException();
        }
    }

    /** Answers everything but "dead". */
    static final class Backup implements ChatApi {
        @Override
        public String chat(String prompt) throws IOException {
            if (prompt.equals("dead")) {
                throw new IOException();
            }
            return "backup";
        }
    }

    /** Never answers. */
    static final class LastResort implements ChatApi {
        @Override
        public String chat(String prompt) throws IOException {
            throw new IOException();
        }
    }

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final VirtualTimeSource time = new VirtualTimeSource();
    final List<ReboundEvent> events = new ArrayList<>();
    ChatApi llm;

    @BeforeEach
    void wrap() {
        llm = Rebound.wrap(ChatApi.class, (ChatApi) new Primary())
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .withFallbacks(new Backup(), new LastResort())
                .settings(ReboundSettings.builder().logging(false).timeSource(time)
                        .listener(new MicrometerListener(registry)).listener(events::add).build())
                .build();
    }

    @Test
    void aScriptedRunGivesExactCountsPerOutcomeAttemptsFallbackPairsAndDurations() throws IOException {
        for (int i = 0; i < 5; i++) {
            assertThat(llm.chat("ok")).isEqualTo("primary");           // 1 attempt each, no wait
        }
        for (int i = 0; i < 3; i++) {
            assertThat(llm.chat("flaky-" + i)).isEqualTo("primary");   // 2 attempts, waits 100 ms
        }
        for (int i = 0; i < 2; i++) {
            assertThat(llm.chat("down")).isEqualTo("backup");          // 3 + 1 attempts, waits 100 + 200 ms
        }
        assertThatThrownBy(() -> llm.chat("dead")).isInstanceOf(IOException.class); // 3 + 1 + 1, 300 ms

        assertThat(count(MicrometerListener.CALLS, "outcome", "success")).isEqualTo(5);
        assertThat(count(MicrometerListener.CALLS, "outcome", "success_after_retry")).isEqualTo(3);
        assertThat(count(MicrometerListener.CALLS, "outcome", "fallback")).isEqualTo(2);
        assertThat(count(MicrometerListener.CALLS, "outcome", "failure")).isEqualTo(1);
        assertThat(sum(MicrometerListener.ATTEMPTS)).isEqualTo(5 + 3 * 2 + 2 * 4 + 5);
        assertThat(attempts("Primary")).isEqualTo(5 + 3 * 2 + 2 * 3 + 3);
        assertThat(attempts("Backup")).isEqualTo(2 + 1);
        assertThat(attempts("LastResort")).isEqualTo(1);
        Timer backoff = registry.get(MicrometerListener.WAITS).tag("target", "Primary").tag("reason", "backoff")
                .timer();
        assertThat(backoff.count()).isEqualTo(3 + 2 * 2 + 2);
        assertThat(backoff.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3 * 100 + 2 * 300 + 300);
        assertThat(registry.find(MicrometerListener.WAITS).timers()).hasSize(1);
        assertThat(registry.get(MicrometerListener.FALLBACKS).tag("from", "Primary").tag("to", "Backup")
                .counter().count()).isEqualTo(3);
        assertThat(registry.get(MicrometerListener.FALLBACKS).tag("from", "Backup").tag("to", "LastResort")
                .counter().count()).isEqualTo(1);
        Timer timer = registry.get(MicrometerListener.DURATION).timer();
        assertThat(timer.count()).isEqualTo(11);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3 * 100 + 2 * 300 + 300);
    }

    @Test
    void everyMeterIsTaggedByInterfaceAndMethodAndNothingThatVariesPerCall() throws IOException {
        llm.chat("ok");
        llm.chat("flaky-secret-prompt");
        llm.chat("down");
        assertThatThrownBy(() -> llm.chat("dead")).isInstanceOf(IOException.class);

        Set<String> tags = new TreeSet<>();
        for (Meter m : registry.getMeters()) {
            assertThat(m.getId().getTag("interface")).isEqualTo("ChatApi");
            assertThat(m.getId().getTag("method")).isEqualTo("chat");
            for (Tag t : m.getId().getTags()) {
                tags.add(t.getKey() + "=" + t.getValue());
            }
        }
        assertThat(tags).containsExactly("from=Backup", "from=Primary", "interface=ChatApi", "method=chat",
                "outcome=failure", "outcome=fallback", "outcome=success", "outcome=success_after_retry",
                "reason=attempts", "reason=backoff", "target=Backup",
                "target=LastResort", "target=Primary", "to=Backup", "to=LastResort");
    }

    @Test
    void waitsAreTimedPerTargetAndReasonWithTheServersRetryAfterWhenItIsLonger() throws IOException {
        ChatApi hinted = Rebound.wrap(ChatApi.class, (ChatApi) prompt -> {
            if (prompt.equals("limited")) {
                dev.rebound.runtime.RetryAfter.suggest(Duration.ofMillis(700));
            }
            throw new IOException();
        }).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .withFallbacks(new Backup())
                .settings(ReboundSettings.builder().logging(false).timeSource(time)
                        .listener(new MicrometerListener(registry)).build())
                .build();

        hinted.chat("limited");   // waits 700 ms: the server's hint beats the 100 ms backoff
        hinted.chat("down");      // waits 100 ms of backoff

        Timer retryAfter = registry.get(MicrometerListener.WAITS).tag("target", "gpt-4").tag("reason", "retry-after")
                .timer();
        Timer backoff = registry.get(MicrometerListener.WAITS).tag("target", "gpt-4").tag("reason", "backoff").timer();
        assertThat(retryAfter.count()).isEqualTo(1);
        assertThat(retryAfter.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(700);
        assertThat(backoff.count()).isEqualTo(1);
        assertThat(backoff.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(100);
        assertThat(attempts("gpt-4")).isEqualTo(4);
        assertThat(attempts("Backup")).isEqualTo(2);
    }

    @Test
    void breakerTransitionsAndRetriesStoppedByTheBudgetOrTheBreakerAreCounted() throws IOException {
        ChatApi guarded = Rebound.wrap(ChatApi.class, (ChatApi) new Primary())
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).budgetRatio(0.4)
                        .budgetMinPerSecond(0).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(3).failureRatio(1.0)
                        .delay(Duration.ofSeconds(1)).build())
                .withFallbacks(new Backup())
                .settings(ReboundSettings.builder().logging(false).timeSource(time)
                        .listener(new MicrometerListener(registry)).build())
                .build();

        guarded.chat("down");  // 1 attempt, no retry: 0.4 of 1 call is not a whole retry
        guarded.chat("down");  // 1 attempt, no retry: nor 0.4 of 2 calls
        guarded.chat("down");  // the breaker's third failure opens it: no retry
        guarded.chat("down");  // refused
        time.advance(Duration.ofSeconds(1));
        guarded.chat("ok");    // the probe closes it

        assertThat(count(MicrometerListener.RETRIES_STOPPED, "reason", "budget")).isEqualTo(2);
        assertThat(count(MicrometerListener.RETRIES_STOPPED, "reason", "circuit-open")).isEqualTo(2);
        assertThat(transitionsByTargetAndState()).isEqualTo(java.util.Map.of("Primary open", 1.0,
                "Primary half_open", 1.0, "Primary closed", 1.0));
        assertThat(count(MicrometerListener.CALLS, "outcome", "fallback")).isEqualTo(4);
    }

    /** {@code "target state"} -> count, of every {@code rebound.circuit.transitions} counter. */
    private java.util.Map<String, Double> transitionsByTargetAndState() {
        java.util.Map<String, Double> all = new java.util.TreeMap<>();
        for (Meter m : registry.find(MicrometerListener.CIRCUIT_TRANSITIONS).meters()) {
            all.put(m.getId().getTag("target") + " " + m.getId().getTag("state"),
                    ((io.micrometer.core.instrument.Counter) m).count());
        }
        return all;
    }

    /** A primary without a breaker that always falls back to an alternative that has its own. */
    public interface Quotes {
        String quote(String symbol);
    }

    /** No breaker of its own: it fails over to {@link BrokenQuotes}. */
    public static class HealthyQuotes implements Quotes {
        @Override
        @dev.rebound.annotations.Retry(attempts = 1)
        @dev.rebound.annotations.Fallback(to = BrokenQuotes.class)
        public String quote(String symbol) {
            throw new IllegalStateException("primary down");
        }
    }

    /** An alternative with its own breaker, which opens after two failed calls. */
    public static class BrokenQuotes implements Quotes {
        @Override
        @dev.rebound.annotations.Retry(attempts = 1)
        @dev.rebound.annotations.CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 0.5, delay = 60_000)
        public String quote(String symbol) {
            throw new IllegalStateException("broken down");
        }
    }

    /**
     * The method has no breaker; its alternative's own opens. The opening is counted under the alternative's
     * name, as its event names it, never as the method's breaker's: every transition counter says whose
     * breaker it is ({@code target}), so a dashboard on the primary's breaker sees nothing.
     */
    @Test
    void anAlternativesBreakerOpeningIsCountedUnderItsOwnTargetNotAsTheMethodsBreaker() {
        Quotes quotes = Rebound.wrap(Quotes.class, (Quotes) new HealthyQuotes())
                .settings(ReboundSettings.builder().logging(false).timeSource(time)
                        .listener(new MicrometerListener(registry)).listener(events::add).build())
                .build();

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> quotes.quote("A")).isInstanceOf(IllegalStateException.class);
        }

        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED))
                .singleElement().satisfies(e -> assertThat(e.target()).isEqualTo("BrokenQuotes"));
        double unattributed = registry.find(MicrometerListener.CIRCUIT_TRANSITIONS).tag("state", "open").counters()
                .stream().filter(c -> c.getId().getTag("target") == null)
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
        assertThat(unattributed).as("openings counted as the method's own breaker's").isEqualTo(0.0);
        assertThat(transitionsByTargetAndState()).isEqualTo(java.util.Map.of("BrokenQuotes open", 1.0));
    }

    @Test
    void firstAttemptSuccessesBuildNoEventsRegisterNoNewMetersAndAllocateNothingInTheListener()
            throws IOException {
        llm.chat("ok");
        int meters = registry.getMeters().size();
        MicrometerListener listener = new MicrometerListener(registry);
        listener.onFirstAttemptSuccess("ChatApi.chat(String)", "Primary", 5);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int i = 0; i < 100_000; i++) { // warm-up for the JIT
            listener.onFirstAttemptSuccess("ChatApi.chat(String)", "Primary", 5);
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            listener.onFirstAttemptSuccess("ChatApi.chat(String)", "Primary", 5);
        }
        long perCall = (mx.getThreadAllocatedBytes(tid) - before) / 100_000;
        for (int i = 0; i < 9; i++) {
            llm.chat("ok");
        }

        assertThat(events).isEmpty();
        assertThat(registry.getMeters()).hasSize(meters);
        assertThat(count(MicrometerListener.CALLS, "outcome", "success")).isEqualTo(10 + 200_001);
        assertThat(perCall).isZero();
    }

    /** Answers itself, sending nothing. */
    static final class CannedHandler implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) {
            return "canned";
        }
    }

    /** Tries the alternatives in order; when none answers, answers itself. */
    static final class NextOrCanned implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) {
            try {
                return call.next(call.arguments());
            } catch (Throwable t) {
                return "canned";
            }
        }
    }

    private ChatApi handled(ChatApi primary, FallbackHandler handler, ChatApi... alternatives) {
        return Rebound.wrap(ChatApi.class, primary).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).jitter(false).build())
                .withFallbacks(alternatives).withFallbackHandler(handler)
                .settings(ReboundSettings.builder().timeSource(time)
                        .listener(new MicrometerListener(registry)).listener(events::add).build())
                .build();
    }

    /** The attempts of each target, by tag value: only the targets something was sent to. */
    private java.util.Map<String, Double> attemptsByTarget() {
        java.util.Map<String, Double> all = new java.util.TreeMap<>();
        for (Meter m : registry.find(MicrometerListener.ATTEMPTS).meters()) {
            all.put(m.getId().getTag("target"), ((io.micrometer.core.instrument.Counter) m).count());
        }
        return all;
    }

    private List<String> finalEvents() {
        return events.stream().filter(e -> e.kind() == ReboundEvent.Kind.SUCCEEDED || e.kind() == ReboundEvent.Kind.FAILED)
                .map(e -> e.kind() + " " + e.target() + " " + e.attempt() + " " + e.reason()).toList();
    }

    /**
     * A handler's own answer sent nothing: its SUCCEEDED names the handler at attempt 0, the log says it
     * answered itself, and {@code rebound.attempts} has no handler target.
     */
    @Test
    void aFallbackHandlersOwnAnswerIsNoAttempt() {
        ChatApi chat = handled(new LastResort(), new CannedHandler());

        String[] answer = new String[1];
        String log = dev.rebound.runtime.StdErr.during(() -> {
            try {
                answer[0] = chat.chat("q");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });

        assertThat(answer[0]).isEqualTo("canned");
        assertThat(attemptsByTarget()).isEqualTo(java.util.Map.of("gpt-4", 2.0));
        assertThat(finalEvents()).containsExactly("SUCCEEDED CannedHandler 0 fallback");
        assertThat(log).containsOnlyOnce("ChatApi.chat(String): succeeded on CannedHandler, the fallback handler's "
                + "own answer");
        assertThat(count(MicrometerListener.CALLS, "outcome", "fallback")).isEqualTo(1);
    }

    /**
     * A handler tries the alternative, which fails (its ATTEMPT_FAILED counts its one attempt), then
     * answers itself: the call's success is the handler's, at attempt 0, not a second attempt of the
     * alternative.
     */
    @Test
    void anAlternativeThatFailedUnderAHandlerIsCountedOnceAndTheHandlerAnswers() throws IOException {
        ChatApi chat = handled(new LastResort(), new NextOrCanned(), new LastResort());

        assertThat(chat.chat("q")).isEqualTo("canned");

        assertThat(attemptsByTarget()).isEqualTo(java.util.Map.of("gpt-4", 2.0, "LastResort", 1.0));
        assertThat(finalEvents()).containsExactly("SUCCEEDED NextOrCanned 0 fallback");
    }

    /** An alternative that answered under a handler: its answering attempt is counted, once, as without one. */
    @Test
    void anAlternativeThatAnsweredUnderAHandlerIsCountedOnceAsTheOneThatAnswered() throws IOException {
        ChatApi chat = handled(new LastResort(), new NextOrCanned(), new LastResort(), new Backup());

        assertThat(chat.chat("q")).isEqualTo("backup");

        assertThat(finalEvents()).containsExactly("SUCCEEDED Backup 1 fallback");
        assertThat(attemptsByTarget()).isEqualTo(java.util.Map.of("gpt-4", 2.0, "LastResort", 1.0, "Backup", 1.0));
    }

    private double attempts(String target) {
        return registry.get(MicrometerListener.ATTEMPTS).tag("target", target).counter().count();
    }

    private double sum(String name) {
        double total = 0;
        for (Meter m : registry.find(name).meters()) {
            total += ((io.micrometer.core.instrument.Counter) m).count();
        }
        return total;
    }

    private double count(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }

    /** Sums the counter {@code name} over every tag value, or counts the timer's records. */
    private static double total(SimpleMeterRegistry registry, String name) {
        return registry.find(name).meters().stream().mapToDouble(m -> m instanceof Timer
                ? ((Timer) m).count() : ((io.micrometer.core.instrument.Counter) m).count()).sum();
    }

    private double attempts(SimpleMeterRegistry registry, String target) {
        io.micrometer.core.instrument.Counter c = registry.find(MicrometerListener.ATTEMPTS).tag("target", target)
                .counter();
        return c == null ? 0 : c.count();
    }

    /** A model that fails its first {@code failures} requests, then answers; counts the requests it received. */
    static final class Counted implements ChatApi {
        final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        final int failures;

        Counted(int failures) {
            this.failures = failures;
        }

        @Override
        public String chat(String prompt) throws IOException {
            if (requests.incrementAndGet() <= failures) {
                throw new IOException();
            }
            return "answer " + requests.get();
        }
    }

    private ChatApi wrapped(String name, ChatApi target, int attempts, ReboundSettings settings, ChatApi... fallbacks) {
        return Rebound.wrap(ChatApi.class, target).named(name)
                .withRetry(RetryPolicy.builder().attempts(attempts).delay(Duration.ofMillis(10)).jitter(false).build())
                .withFallbacks(fallbacks).settings(settings).build();
    }

    /**
     * The guides' set-up: the fallback is a wrapper with a retry of its own, one listener on one settings.
     * rebound.attempts{target} is the requests each model received (the wrapper counts its own; the
     * enclosing call leaves them to it), and the one logical call is one call, timed once.
     */
    @Test
    void aFallbackThatIsAWrapperOfItsOwnCountsTheRequestsItReceivedAndOneLogicalCallIsOneCall() throws IOException {
        ReboundSettings settings = ReboundSettings.builder().logging(false).timeSource(time)
                .listener(new MicrometerListener(registry)).build();
        Counted gpt4 = new Counted(Integer.MAX_VALUE);
        Counted gpt35 = new Counted(0);
        Counted flaky = new Counted(1);
        ChatApi chat = wrapped("gpt-4", gpt4, 3, settings, wrapped("gpt-3.5-turbo", gpt35, 2, settings));
        ChatApi retried = wrapped("gpt-4", gpt4, 3, settings, wrapped("flaky", flaky, 2, settings));

        assertThat(chat.chat("hi")).isEqualTo("answer 1");         // gpt-3.5-turbo answers at once
        assertThat(retried.chat("hi")).isEqualTo("answer 2");      // flaky answers its retry

        assertThat(gpt4.requests).hasValue(6);
        assertThat(attempts(registry, "gpt-4")).isEqualTo(6);
        assertThat(attempts(registry, "gpt-3.5-turbo")).as("rebound.attempts{target=gpt-3.5-turbo}").isEqualTo(1);
        assertThat(attempts(registry, "flaky")).as("rebound.attempts{target=flaky}").isEqualTo(2);
        assertThat(total(registry, MicrometerListener.CALLS)).as("rebound.calls, every outcome").isEqualTo(2);
        assertThat(registry.get(MicrometerListener.CALLS).tag("outcome", "fallback").counter().count()).isEqualTo(2);
        assertThat(total(registry, MicrometerListener.DURATION)).as("rebound.call.duration's count").isEqualTo(2);
    }

    /**
     * The fallback is a wrapper whose target, while the enclosing call runs it, calls that wrapper again
     * (through another object, a delegate): only the engine's call on the wrapper is part of the enclosing
     * call; the one its target makes is a call of its own, with its own SUCCEEDED and its own count.
     */
    @Test
    void aCallAFallbackWrappersTargetMakesOnItsWrapperIsACallOfItsOwn() throws IOException {
        ReboundSettings settings = ReboundSettings.builder().logging(false).timeSource(time)
                .listener(new MicrometerListener(registry)).listener(events::add).build();
        java.util.concurrent.atomic.AtomicInteger relayRequests = new java.util.concurrent.atomic.AtomicInteger();
        ChatApi[] relay = {null};
        ChatApi delegate = prompt -> relay[0].chat(prompt);
        relay[0] = wrapped("relay", prompt -> {
            int request = relayRequests.incrementAndGet();
            if (prompt.startsWith("via ")) {
                return "relayed " + delegate.chat(prompt.substring(4)); // a call of its own on the wrapper
            }
            if (request == 2) {
                throw new IOException(); // the inner call's first request
            }
            return "answer";
        }, 2, settings);
        ChatApi chat = wrapped("gpt-4", new Counted(Integer.MAX_VALUE), 2, settings, relay[0]);

        assertThat(chat.chat("via hi")).isEqualTo("relayed answer");

        assertThat(relayRequests).hasValue(3);
        assertThat(attempts(registry, "gpt-4")).isEqualTo(2);
        assertThat(attempts(registry, "relay")).as("the engine's request, then the inner call's 2").isEqualTo(3);
        assertThat(count(MicrometerListener.CALLS, "outcome", "fallback")).as("the logical call").isEqualTo(1);
        assertThat(count(MicrometerListener.CALLS, "outcome", "success_after_retry")).as("the inner call, its own")
                .isEqualTo(1);
        assertThat(total(registry, MicrometerListener.CALLS)).isEqualTo(2);
        assertThat(total(registry, MicrometerListener.DURATION)).isEqualTo(2);
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.SUCCEEDED)
                .map(e -> e.method() + " " + e.reason() + " on " + e.target() + " nested " + e.nestedCall()))
                .containsExactly("ChatApi.chat(String) retry on relay nested false",
                        "ChatApi.chat(String) fallback on relay nested false");
    }

    /** A wrapper fallback that fails for good: its requests are its attempts; the one call is one failure. */
    @Test
    void aFallbackWrapperThatFailsForGoodCountsItsRequestsAndTheCallOnce() {
        ReboundSettings settings = ReboundSettings.builder().logging(false).timeSource(time)
                .listener(new MicrometerListener(registry)).build();
        Counted gpt35 = new Counted(Integer.MAX_VALUE);
        ChatApi chat = wrapped("gpt-4", new Counted(Integer.MAX_VALUE), 2, settings,
                wrapped("gpt-3.5-turbo", gpt35, 2, settings));

        assertThatThrownBy(() -> chat.chat("hi")).isInstanceOf(IOException.class);

        assertThat(gpt35.requests).hasValue(2);
        assertThat(attempts(registry, "gpt-3.5-turbo")).isEqualTo(2);
        assertThat(total(registry, MicrometerListener.CALLS)).isEqualTo(1);
        assertThat(registry.get(MicrometerListener.CALLS).tag("outcome", "failure").counter().count()).isEqualTo(1);
    }

    /** Each level on a registry of its own: the attempts add up to the requests, the calls to the logical calls. */
    @Test
    void aFallbackWrapperOnARegistryOfItsOwnCountsItsRequestsThereAndNoCall() throws IOException {
        SimpleMeterRegistry fallbacks = new SimpleMeterRegistry();
        ChatApi chat = wrapped("gpt-4", new Counted(Integer.MAX_VALUE), 3, ReboundSettings.builder().logging(false)
                .timeSource(time).listener(new MicrometerListener(registry)).build(),
                wrapped("gpt-3.5-turbo", new Counted(1), 2, ReboundSettings.builder().logging(false).timeSource(time)
                        .listener(new MicrometerListener(fallbacks)).build()));

        chat.chat("hi");

        assertThat(attempts(registry, "gpt-4")).isEqualTo(3);
        assertThat(attempts(registry, "gpt-3.5-turbo")).as("the enclosing call's registry").isZero();
        assertThat(attempts(fallbacks, "gpt-3.5-turbo")).as("the wrapper's registry").isEqualTo(2);
        assertThat(total(registry, MicrometerListener.CALLS)).isEqualTo(1);
        assertThat(total(fallbacks, MicrometerListener.CALLS)).isZero();
    }

    /**
     * The enclosing call has the listener, the fallback wrapper's settings have none: nobody else counts the
     * wrapper, so the enclosing call counts each call of it as one attempt (its own retries are counted
     * nowhere, as documented), never zero.
     */
    @Test
    void aFallbackWrapperThatNoMetricsListenerHearsIsCountedAsOneAttemptPerCallByTheEnclosingCall() throws IOException {
        ChatApi chat = wrapped("gpt-4", new Counted(Integer.MAX_VALUE), 3, ReboundSettings.builder().logging(false)
                .timeSource(time).listener(new MicrometerListener(registry)).build(),
                wrapped("gpt-3.5-turbo", new Counted(1), 2, ReboundSettings.builder().logging(false).timeSource(time)
                        .build()));

        chat.chat("hi");

        assertThat(attempts(registry, "gpt-4")).isEqualTo(3);
        assertThat(attempts(registry, "gpt-3.5-turbo")).as("one call of the wrapper").isEqualTo(1);
        assertThat(total(registry, MicrometerListener.CALLS)).isEqualTo(1);
    }

    public interface AsyncChatApi {
        java.util.concurrent.CompletableFuture<String> chat(String prompt);
    }

    /** The same for asynchronous calls, whose steps go on on other threads. */
    @Test
    void anAsyncFallbackThatIsAWrapperOfItsOwnCountsTheRequestsItReceivedAndOneLogicalCallIsOneCall() {
        ReboundSettings settings = ReboundSettings.builder().logging(false).timeSource(time)
                .listener(new MicrometerListener(registry)).build();
        java.util.concurrent.atomic.AtomicInteger backupRequests = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CompletableFuture<String> later = new java.util.concurrent.CompletableFuture<>();
        AsyncChatApi backup = Rebound.wrap(AsyncChatApi.class, (AsyncChatApi) p -> backupRequests.incrementAndGet() == 1
                ? java.util.concurrent.CompletableFuture.failedFuture(new IOException()) : later)
                .named("gpt-3.5-turbo")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).jitter(false).build())
                .settings(settings).build();
        AsyncChatApi quick = Rebound.wrap(AsyncChatApi.class, (AsyncChatApi) p ->
                java.util.concurrent.CompletableFuture.completedFuture("quick")).named("quick").settings(settings)
                .withRetry(RetryPolicy.builder().attempts(2).build()).build();
        AsyncChatApi chat = Rebound.wrap(AsyncChatApi.class, (AsyncChatApi) p ->
                java.util.concurrent.CompletableFuture.failedFuture(new IOException())).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).jitter(false).build())
                .withFallbacks(backup).settings(settings).build();
        AsyncChatApi toQuick = Rebound.wrap(AsyncChatApi.class, (AsyncChatApi) p ->
                java.util.concurrent.CompletableFuture.failedFuture(new IOException())).named("gpt-4")
                .withFallbacks(quick).settings(settings).build();

        java.util.concurrent.CompletableFuture<String> answer = chat.chat("hi");
        time.runScheduled();
        later.complete("backup"); // the backup's retry answers on this thread, after its call returned
        assertThat(answer).isCompletedWithValue("backup");
        assertThat(toQuick.chat("hi")).isCompletedWithValue("quick");

        assertThat(attempts(registry, "gpt-4")).isEqualTo(3);
        assertThat(attempts(registry, "gpt-3.5-turbo")).as("rebound.attempts{target=gpt-3.5-turbo}").isEqualTo(2);
        assertThat(attempts(registry, "quick")).as("rebound.attempts{target=quick}").isEqualTo(1);
        assertThat(total(registry, MicrometerListener.CALLS)).as("rebound.calls, every outcome").isEqualTo(2);
    }
}
