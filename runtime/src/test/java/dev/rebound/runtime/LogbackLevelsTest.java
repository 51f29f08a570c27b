package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The default listener against a real Logback, configured as applications configure it: what each level
 * prints of a call an open circuit or a rate limit refused, what is built for a logger that drops it, and
 * level rules on the MDC for asynchronous calls. Runs in the logback-levels execution (its own JVM, Logback
 * the only SLF4J provider); skipped elsewhere. Logback is reached through {@link Logback} only.
 */
@EnabledIf(value = "logbackIsTheProvider", disabledReason = "SLF4J is not bound to Logback in this execution")
class LogbackLevelsTest {

    static boolean logbackIsTheProvider() {
        return LoggerFactory.getILoggerFactory().getClass().getName().startsWith("ch.qos.logback.");
    }

    public interface Chat {
        String chat(String prompt) throws Exception;
    }

    public interface Quotes {
        CompletableFuture<String> quote(String prompt);
    }

    static final class Backup implements Chat {
        @Override
        public String chat(String prompt) {
            return "canned";
        }
    }

    /** Answers with the scripted futures in order, then with "ok". */
    static final class ScriptedQuotes implements Quotes {
        final Deque<CompletableFuture<String>> script = new ArrayDeque<>();

        @Override
        public synchronized CompletableFuture<String> quote(String prompt) {
            CompletableFuture<String> next = script.poll();
            return next != null ? next : CompletableFuture.completedFuture("ok");
        }
    }

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final IOException down = new IOException("503");
    private final AtomicInteger sent = new AtomicInteger();

    @BeforeEach
    void configure() {
        Logback.reset();
    }

    @AfterEach
    void quiet() {
        MDC.clear();
        Logback.reset();
    }

    /** Always down; its breaker opens at its second failure, for {@code open}; then a fallback answers, if any. */
    private Chat openedBreaker(Duration open, Chat... fallbacks) throws Exception {
        Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> {
                    sent.incrementAndGet();
                    throw down;
                }).named("primary")
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(0.5)
                        .delay(open).build())
                .withFallbacks(fallbacks)
                .settings(ReboundSettings.builder().timeSource(clock).build()).build();
        for (int i = 0; i < 2; i++) {
            catchThrowable(() -> chat.chat("opens"));
        }
        assertThat(Logback.lines()).anyMatch(m -> m.startsWith("WARN dev.rebound Chat.chat(String) on primary: "
                + "circuit opened for " + open.toMillis() + " ms (failure-ratio) after java.io.IOException"));
        assertThat(sent).hasValue(2);
        return chat;
    }

    @Test
    void atWarnACallAnOpenCircuitRefusedHandsTheLoggerNothing() throws Exception {
        Logback.level("dev.rebound", "WARN");
        Chat chat = openedBreaker(Duration.ofSeconds(60), new Backup());
        int before = Logback.lines().size();
        AtomicInteger debug = Logback.debugQuestions("dev.rebound");

        for (int i = 0; i < 100; i++) {
            assertThat(chat.chat("c")).isEqualTo("canned");
        }

        assertThat(sent).hasValue(2);
        assertThat(Logback.lines()).hasSize(before);
        assertThat(debug).as("questions about DEBUG: a refused call's events handed over to be dropped").hasValue(0);
    }

    /** EventDemandTest's way: the JVM's per-thread allocation counter over many calls. */
    private static long bytesPerCall(Chat chat) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        for (int i = 0; i < 50_000; i++) {
            chat.chat("c");
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            chat.chat("c");
        }
        return (mx.getThreadAllocatedBytes(tid) - before) / 100_000;
    }

    @Test
    void aCallAnOpenCircuitRefusedAllocatesNoMoreWithTheLoggerAtWarnThanWithItOff() throws Exception {
        Logback.level("dev.rebound", "WARN");
        Chat chat = openedBreaker(Duration.ofDays(300), new Backup());

        Logback.level("dev.rebound", "OFF");
        long off = bytesPerCall(chat);
        Logback.level("dev.rebound", "WARN");
        long warn = bytesPerCall(chat);
        Logback.level("dev.rebound", "OFF");
        long offAgain = bytesPerCall(chat);

        assertThat(sent).hasValue(2);
        assertThat(warn).as("bytes per refused call at WARN (OFF: %d, then %d)", off, offAgain)
                .isLessThanOrEqualTo(Math.max(off, offAgain));
    }

    @Test
    void atDebugACallAnOpenCircuitRefusedIsToldInDebugLinesOnly() throws Exception {
        Logback.level("dev.rebound", "DEBUG");
        Chat withFallback = openedBreaker(Duration.ofSeconds(60), new Backup());
        int before = Logback.lines().size();

        assertThat(withFallback.chat("c")).isEqualTo("canned");

        assertThat(Logback.lines().subList(before, Logback.lines().size())).containsExactly(
                "DEBUG dev.rebound Chat.chat(String) on primary: no more attempts after attempt 1 (circuit-open), "
                        + "last failure dev.rebound.runtime.CircuitBreakerOpenException",
                "DEBUG dev.rebound Chat.chat(String): circuit open, falling back from primary to Backup",
                "DEBUG dev.rebound Chat.chat(String): succeeded on Backup at attempt 1");
    }

    @Test
    void atDebugACallAnOpenCircuitRefusedWithoutFallbacksIsToldInDebugLinesOnly() throws Exception {
        Logback.level("dev.rebound", "DEBUG");
        Chat chat = openedBreaker(Duration.ofSeconds(60));
        int before = Logback.lines().size();

        assertThat(catchThrowable(() -> chat.chat("c"))).isInstanceOf(CircuitBreakerOpenException.class);

        assertThat(Logback.lines().subList(before, Logback.lines().size())).containsExactly(
                "DEBUG dev.rebound Chat.chat(String) on primary: no more attempts after attempt 1 (circuit-open), "
                        + "last failure dev.rebound.runtime.CircuitBreakerOpenException",
                "DEBUG dev.rebound Chat.chat(String): circuit open, throwing "
                        + "dev.rebound.runtime.CircuitBreakerOpenException");
    }

    @Test
    void atWarnAFallbackTheRateLimitForcedLeavesItsWarnLine() throws Exception {
        Logback.level("dev.rebound", "WARN");
        Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> {
                    sent.incrementAndGet();
                    return "answer";
                }).named("primary")
                .withRateLimit(RateLimitPolicy.builder().key("openai").requestsPerMinute(1).maxDelay(Duration.ZERO)
                        .build())
                .withFallbacks(new Backup())
                .settings(ReboundSettings.builder().timeSource(clock).build()).build();

        assertThat(chat.chat("a")).isEqualTo("answer");
        assertThat(chat.chat("b")).isEqualTo("canned");

        assertThat(sent).hasValue(1);
        assertThat(Logback.lines()).containsExactly(
                "WARN dev.rebound Chat.chat(String): rate limit refused, falling back from primary to Backup");
    }

    // ---- level rules on the MDC (Logback's DynamicThresholdFilter) ----

    @Test
    void aSynchronousCallsRetriesAreLoggedForTheUserAnMdcRuleEnables() throws Exception {
        Logback.levelByMdc("user", "alice", "INFO");
        int[] attempts = {0};
        Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> {
                    if (attempts[0]++ < 2) {
                        throw down;
                    }
                    return "answer";
                }).named("primary")
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(clock).build()).build();

        assertThat(chat.chat("bob's")).isEqualTo("answer");
        assertThat(Logback.lines()).as("no user: WARN").isEmpty();
        attempts[0] = 0;
        MDC.put("user", "alice");
        assertThat(chat.chat("alice's")).isEqualTo("answer");

        assertThat(Logback.lines()).containsExactly(
                "INFO dev.rebound Chat.chat(String) on primary: retrying after java.io.IOException: attempt 2 in "
                        + "100 ms (backoff)",
                "INFO dev.rebound Chat.chat(String) on primary: retrying after java.io.IOException: attempt 3 in "
                        + "200 ms (backoff)",
                "INFO dev.rebound Chat.chat(String): succeeded on primary at attempt 3");
    }

    private Quotes quotes(ScriptedQuotes primary) {
        return Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(ReboundSettings.builder().timeSource(clock).build()).build();
    }

    /** Runs each step in turn on one thread of its own (an HTTP client's, a scheduler's), without an MDC. */
    private static void onAnotherThread(Runnable... steps) throws Exception {
        ExecutorService client = Executors.newSingleThreadExecutor();
        try {
            for (Runnable step : steps) {
                client.submit(step).get(10, TimeUnit.SECONDS);
            }
            assertThat(client.submit(() -> MDC.getCopyOfContextMap()).get(10, TimeUnit.SECONDS))
                    .as("that thread's MDC, after the call's lines: its own again").isNullOrEmpty();
        } finally {
            client.shutdownNow();
        }
    }

    @Test
    void anAsynchronousCallLogsAllItsLinesWithTheMdcOfTheThreadOfItsFirst() throws Exception {
        Logback.levelByMdc("user", "alice", "INFO");
        ScriptedQuotes primary = new ScriptedQuotes();
        CompletableFuture<String> second = new CompletableFuture<>();
        primary.script.add(CompletableFuture.failedFuture(new IOException("503")));
        primary.script.add(second);
        Quotes quotes = quotes(primary);

        MDC.put("user", "alice");
        CompletableFuture<String> result = quotes.quote("a"); // its first failure and retry: on alice's thread
        onAnotherThread(() -> clock.advance(Duration.ofMillis(100)),
                () -> second.completeExceptionally(new IOException("503")),
                () -> clock.advance(Duration.ofMillis(200)));

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(Logback.lines()).containsExactly(
                "INFO dev.rebound Quotes.quote(String) on primary: retrying after java.io.IOException: attempt 2 in "
                        + "100 ms (backoff)",
                "INFO dev.rebound Quotes.quote(String) on primary: retrying after java.io.IOException: attempt 3 in "
                        + "200 ms (backoff)",
                "INFO dev.rebound Quotes.quote(String): succeeded on primary at attempt 3");
        assertThat(Logback.mdc("user")).containsExactly("alice", "alice", "alice");
    }

    /** Documented (observability.md): the levels are read where the call's first event happens. */
    @Test
    void anAsynchronousCallsLevelsAreReadOnTheThreadOfItsFirstEvent() throws Exception {
        Logback.levelByMdc("user", "alice", "INFO");
        ScriptedQuotes primary = new ScriptedQuotes();
        CompletableFuture<String> first = new CompletableFuture<>();
        primary.script.add(first);
        Quotes quotes = quotes(primary);

        MDC.put("user", "alice");
        CompletableFuture<String> result = quotes.quote("a");
        // the first failure comes on the client's thread, whose MDC has no user: WARN, so no retry line
        onAnotherThread(() -> first.completeExceptionally(new IOException("503")),
                () -> clock.advance(Duration.ofMillis(100)));

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(Logback.lines()).isEmpty();
    }

    /**
     * Documented (observability.md): all of an asynchronous call's lines carry the MDC of the thread of its
     * first, as it was then, also on that same thread once it serves another request (a pool's thread).
     */
    @Test
    void anAsynchronousCallsLaterLinesOnTheThreadOfItsFirstKeepItsMdcWhenThatThreadServesAnotherRequest()
            throws Exception {
        Logback.levelByMdc("user", "alice", "INFO");
        ScriptedQuotes primary = new ScriptedQuotes();
        primary.script.add(CompletableFuture.failedFuture(new IOException("503")));
        primary.script.add(CompletableFuture.failedFuture(new IOException("503")));
        Quotes quotes = quotes(primary);

        MDC.put("user", "alice");
        CompletableFuture<String> result = quotes.quote("a"); // its first failure and retry: alice's
        MDC.put("user", "bob"); // the same thread now serves bob, whose lines are WARN
        clock.advance(Duration.ofMillis(100)); // attempt 2 fails here, during bob's request
        clock.advance(Duration.ofMillis(200)); // attempt 3 answers here

        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        assertThat(Logback.lines()).containsExactly(
                "INFO dev.rebound Quotes.quote(String) on primary: retrying after java.io.IOException: attempt 2 in "
                        + "100 ms (backoff)",
                "INFO dev.rebound Quotes.quote(String) on primary: retrying after java.io.IOException: attempt 3 in "
                        + "200 ms (backoff)",
                "INFO dev.rebound Quotes.quote(String): succeeded on primary at attempt 3");
        assertThat(Logback.mdc("user")).containsExactly("alice", "alice", "alice");
        assertThat(MDC.getCopyOfContextMap()).as("the thread's own MDC, after the call's lines")
                .isEqualTo(java.util.Map.of("user", "bob"));
    }

    /**
     * Documented (observability.md): a breaker's transition an asynchronous call's attempt made is one of
     * the call's lines, with its MDC, whichever thread completed the attempt.
     */
    @Test
    void theCircuitOpeningAnAsynchronousCallsRetryCausesIsLoggedWithTheCallsMdc() throws Exception {
        Logback.levelByMdc("user", "alice", "INFO");
        ScriptedQuotes primary = new ScriptedQuotes();
        CompletableFuture<String> second = new CompletableFuture<>();
        primary.script.add(CompletableFuture.failedFuture(new IOException("503")));
        primary.script.add(second);
        Quotes quotes = Rebound.wrap(Quotes.class, primary).named("primary")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(2).failureRatio(1.0)
                        .delay(Duration.ofSeconds(30)).build())
                .settings(ReboundSettings.builder().timeSource(clock).build()).build();

        MDC.put("user", "alice");
        CompletableFuture<String> result = quotes.quote("a"); // its first failure and retry: alice's
        // the second failure, which opens the circuit, completes on the client's thread, without an MDC
        onAnotherThread(() -> clock.advance(Duration.ofMillis(100)),
                () -> second.completeExceptionally(new IOException("503")));

        assertThat(catchThrowable(() -> result.get(10, TimeUnit.SECONDS))).hasCauseInstanceOf(IOException.class);
        assertThat(Logback.lines()).containsExactly(
                "INFO dev.rebound Quotes.quote(String) on primary: retrying after java.io.IOException: attempt 2 in "
                        + "100 ms (backoff)",
                "WARN dev.rebound Quotes.quote(String) on primary: circuit opened for 30000 ms (failure-ratio) after "
                        + "java.io.IOException",
                "WARN dev.rebound Quotes.quote(String): failed for good on primary, throwing java.io.IOException");
        assertThat(Logback.mdc("user")).containsExactly("alice", "alice", "alice");
    }

    /**
     * Documented (events.md, observability.md): a breaker's transitions are logged in the order they were
     * made, each with the MDC of the call that made it. Alice's call opens the circuit and its WARN line is
     * held in a slow appender; meanwhile bob's probe takes the circuit half-open and closed: those two are
     * logged after the opening, by alice's thread once it is free, with bob's MDC (his level rule lets the
     * DEBUG line through), and alice's thread has her MDC back for her call's last line.
     */
    @Test
    void transitionsAreLoggedInTheirOrderEachWithTheMdcOfTheCallThatMadeItWhicheverThreadTellsIt()
            throws Exception {
        Logback.levelByMdc("user", "bob", "DEBUG");
        java.util.concurrent.CountDownLatch openingHeld = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
        Logback.holdFirstLineContaining("circuit opened", openingHeld, released);
        boolean[] outage = {true};
        Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> {
                    if (outage[0]) {
                        throw down;
                    }
                    return "ok";
                }).named("primary")
                .withCircuitBreaker(CircuitBreakerPolicy.builder().requestVolumeThreshold(1).failureRatio(1.0)
                        .delay(Duration.ofSeconds(1)).build())
                .settings(ReboundSettings.builder().timeSource(clock).build()).build();
        ExecutorService alices = Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<Throwable> alice = alices.submit(() -> {
                MDC.put("user", "alice");
                try {
                    return catchThrowable(() -> chat.chat("opens it"));
                } finally {
                    MDC.clear();
                }
            });
            assertThat(openingHeld.await(10, TimeUnit.SECONDS)).isTrue();
            clock.advance(Duration.ofSeconds(1));
            outage[0] = false;
            MDC.put("user", "bob");
            assertThat(chat.chat("probe")).isEqualTo("ok");
            MDC.clear();
            assertThat(Logback.lines()).as("nothing logged past the held opening").isEmpty();
            released.countDown();
            assertThat(alice.get(10, TimeUnit.SECONDS)).isSameAs(down);
        } finally {
            alices.shutdownNow();
        }

        assertThat(Logback.lines()).containsExactly(
                "WARN dev.rebound Chat.chat(String) on primary: circuit opened for 1000 ms (failure-ratio) after "
                        + "java.io.IOException",
                "DEBUG dev.rebound Chat.chat(String) on primary: circuit half-open, letting probes through",
                "INFO dev.rebound Chat.chat(String) on primary: circuit closed",
                "WARN dev.rebound Chat.chat(String): failed for good on primary, throwing java.io.IOException");
        assertThat(Logback.mdc("user")).containsExactly("alice", "bob", "bob", "alice");
    }
}
