package dev.rebound.it.plain.wrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.GenerateWrapper;
import dev.rebound.it.BrokenSleep;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundListener;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.internal.ServerVerdict;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A failed first attempt of a method of the common shape (retry with attempts, backoff, jitter and
 * exception filters, plain alternatives) runs in one of three loops: the chain of strategies when a
 * listener wants the call's events; when none does, the engine's quiet loop ({@code QuietLoop}, behind
 * the JDK proxy), or, behind the class generated for {@code Rebound.wrap} ({@code Chat$$Rebound}), the
 * generated method's own loop, which calls the primary again itself while its failures are one instance
 * and hands the rest to the quiet loop. Every scenario here runs through all three and asserts the same
 * outcome: attempts and their order, the arguments each target got, the waits slept (virtual time, one
 * seeded jitter), the caller's exception instance and what is suppressed on it, the interrupt flag.
 * Each run also checks which loop made each call (by the stack), so none can stand in for another
 * unnoticed.
 */
class QuietFailurePathTest {

    /** Generated ({@code QuietFailurePathTest$Chat$$Rebound}) by the processor this package is compiled with. */
    @GenerateWrapper
    interface Chat {
        String chat(String prompt) throws IOException;
    }

    /** A failure that carries the verdict of the response it came from, as the HTTP integration's do. */
    static final class VerdictFailure extends IOException implements ServerVerdict.Carrier {
        private final ServerVerdict verdict;

        VerdictFailure(String message, ServerVerdict verdict) {
            super(message);
            this.verdict = verdict;
        }

        @Override
        public ServerVerdict serverVerdict() {
            return verdict;
        }
    }

    /** Wants every kind, or none: the switch between the two loops. */
    static final class Listener implements ReboundListener {
        final boolean wantsAll;
        final List<ReboundEvent> received = new ArrayList<>();

        Listener(boolean wantsAll) {
            this.wantsAll = wantsAll;
        }

        @Override
        public Set<Kind> wantedKinds() {
            return wantsAll ? EnumSet.allOf(Kind.class) : EnumSet.noneOf(Kind.class);
        }

        @Override
        public void onEvent(ReboundEvent event) {
            received.add(event);
        }
    }

    /** What one run shows: everything the caller and the targets can see. */
    record Outcome(String result, String thrown, boolean thrownIsTheTargetsOwn, List<String> suppressed,
            List<String> calls, List<Duration> sleeps, boolean interrupted) {
    }

    /** One target: answers or throws each call as its script says (a supplier of a failure throws it). */
    static final class Scripted implements Chat {
        final String name;
        final List<Object> script;
        final List<String> calls;
        final List<Throwable> thrown = new ArrayList<>();
        /** The one instance each {@link Same} step throws in this run. */
        final java.util.Map<String, Throwable> same = new java.util.HashMap<>();
        /** Per call: which loop made it ({@link #madeBy}). */
        final List<Loop> quiet;
        int next;
        /** How many calls this target got. */
        int made;

        int calls() {
            return made;
        }

        Scripted(String name, List<String> calls, List<Loop> quiet, Object... script) {
            this.name = name;
            this.calls = calls;
            this.quiet = quiet;
            this.script = Arrays.asList(script);
        }

        @Override
        public String chat(String prompt) throws IOException {
            calls.add(name + "(" + prompt + ")");
            made++;
            quiet.add(madeBy());
            Object step = script.get(Math.min(next++, script.size() - 1));
            if (step instanceof Runnable) {
                ((Runnable) step).run();
                step = script.get(Math.min(next++, script.size() - 1));
            }
            if (step instanceof Same) {
                String message = ((Same) step).message;
                step = (Supplier<Throwable>) () -> same.computeIfAbsent(message, IOException::new);
            }
            if (step instanceof Supplier) {
                Throwable t = (Throwable) ((Supplier<?>) step).get();
                thrown.add(t);
                if (t instanceof IOException) {
                    throw (IOException) t;
                }
                if (t instanceof RuntimeException) {
                    throw (RuntimeException) t;
                }
                throw (Error) t;
            }
            return (String) step;
        }
    }

    /** Which loop runs a call's attempts after its first. */
    enum Loop {
        /** The generated class's own: its method calls the target again. */
        GENERATED,
        /** The engine's quiet loop (behind the JDK proxy, or taking over from the generated class's). */
        QUIET,
        /** The chain of strategies (a listener wants the call's events). */
        CHAIN
    }

    /** Which loop made the current call to a target, by the stack. */
    static Loop madeBy() {
        return StackWalker.getInstance().walk(frames -> {
            List<StackWalker.StackFrame> all = frames.toList();
            if (all.stream().anyMatch(f -> f.getClassName().equals("dev.rebound.runtime.internal.chain.QuietLoop"))) {
                return Loop.QUIET;
            }
            // [madeBy, Scripted.chat, the caller]: the generated method itself, not its invoker's lambda
            StackWalker.StackFrame caller = all.get(2);
            return caller.getClassName().endsWith("$$Rebound") && caller.getMethodName().equals("chat") ? Loop.GENERATED
                    : Loop.CHAIN;
        });
    }

    /** A step that throws, in each run, one IOException instance with this message, every time. */
    record Same(String message) {
    }

    /** A scenario: the primary's script, each alternative's, the primary's policy, the time source. */
    static final class Scenario {
        Object[] primary;
        List<Object[]> alternatives = new ArrayList<>();
        RetryPolicy policy = RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build();
        Supplier<TimeSource> time = VirtualTimeSource::new;
        /** The builder's {@code fallbackOn}; empty = any Exception. */
        List<Class<? extends Throwable>> fallbackOn = List.of();

        Scenario primary(Object... script) {
            this.primary = script;
            return this;
        }

        Scenario alternative(Object... script) {
            alternatives.add(script);
            return this;
        }

        @SafeVarargs
        final Scenario fallbackOn(Class<? extends Throwable>... types) {
            this.fallbackOn = List.of(types);
            return this;
        }

        Scenario policy(RetryPolicy p) {
            this.policy = p;
            return this;
        }
    }

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    /**
     * Runs {@code s} through the generated class with a listener that wants nothing (its own loop), through
     * the JDK proxy with that listener (the quiet loop), and with a listener that wants all (the chain).
     */
    private static Outcome[] both(Scenario s) throws Exception {
        Outcome generated = run(s, Loop.GENERATED);
        Outcome quiet = run(s, Loop.QUIET);
        Outcome chain = run(s, Loop.CHAIN);
        assertThat(quiet).as("the quiet loop and the chain agree").isEqualTo(chain);
        assertThat(generated).as("the generated class's loop and the chain agree").isEqualTo(chain);
        return new Outcome[] {generated, quiet, chain};
    }

    private static Outcome run(Scenario s, Loop loop) throws Exception {
        boolean listened = loop == Loop.CHAIN;
        List<String> calls = new ArrayList<>();
        List<Loop> quiet = new ArrayList<>();
        TimeSource time = s.time.get();
        Listener listener = new Listener(listened);
        ReboundSettings settings = ReboundSettings.builder().logging(false).listener(listener).timeSource(time)
                .random(new Random(42)).build();
        Scripted primary = new Scripted("primary", calls, quiet, s.primary);
        List<Scripted> alternatives = new ArrayList<>();
        for (int i = 0; i < s.alternatives.size(); i++) {
            alternatives.add(new Scripted("alt" + i, calls, quiet, s.alternatives.get(i)));
        }
        Rebound.Builder<Chat> b = Rebound.wrap(Chat.class, (Chat) primary).withRetry(s.policy).settings(settings);
        if (!alternatives.isEmpty()) {
            b.withFallbacks(alternatives.toArray(new Chat[0]));
        }
        if (!s.fallbackOn.isEmpty()) {
            @SuppressWarnings("unchecked")
            Class<? extends Throwable>[] on = s.fallbackOn.toArray(new Class[0]);
            b.fallbackOn(on);
        }
        Chat chat = (loop == Loop.QUIET ? b.viaJdkProxy() : b).build();
        assertThat(Rebound.isGenerated(chat)).as("generated").isEqualTo(loop != Loop.QUIET);
        String result = null;
        Throwable thrown = null;
        try {
            result = chat.chat("q");
        } catch (Exception | Error t) {
            thrown = t;
        }
        // after the first attempt (which the door runs), every call shows which loop made it: the generated
        // class's own while the primary's failures are one instance, then the quiet loop
        List<Loop> expected = new ArrayList<>();
        for (int k = 1; k < quiet.size(); k++) {
            boolean oneInstance = k < primary.calls() && primary.thrown.subList(0, k).stream()
                    .allMatch(t -> t == primary.thrown.get(0));
            expected.add(loop == Loop.GENERATED && !oneInstance ? Loop.QUIET : loop);
        }
        assertThat(quiet.subList(Math.min(1, quiet.size()), quiet.size())).as("the loop that made each call")
                .isEqualTo(expected);
        if (listened && calls.size() > 1) {
            assertThat(listener.received).as("the chain reports to a listener that wants it").isNotEmpty();
        }
        boolean interrupted = Thread.interrupted();
        List<Throwable> all = new ArrayList<>(primary.thrown);
        alternatives.forEach(a -> all.addAll(a.thrown));
        List<String> suppressed = new ArrayList<>();
        if (thrown != null) {
            for (Throwable t : thrown.getSuppressed()) {
                suppressed.add(t.getMessage());
            }
        }
        List<Duration> sleeps = time instanceof VirtualTimeSource ? ((VirtualTimeSource) time).sleeps()
                : time instanceof BrokenSleep ? ((BrokenSleep) time).sleeps() : List.of();
        final Throwable caught = thrown;
        return new Outcome(result, thrown == null ? null : thrown.getClass().getSimpleName() + ":" + thrown.getMessage(),
                thrown != null && all.stream().anyMatch(t -> t == caught), suppressed, calls, sleeps, interrupted);
    }

    private static Supplier<Throwable> io(String message) {
        return () -> new IOException(message);
    }

    @Test
    void oneFailureThenTheRetryAnswers() throws Exception {
        Outcome[] o = both(new Scenario().primary(io("p1"), "ok"));

        assertThat(o[0].result()).isEqualTo("ok");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)");
        assertThat(o[0].sleeps()).as("a zero wait is not slept").isEmpty();
    }

    @Test
    void oneFailureInstanceThrownTwiceThenTheRetryAnswers() throws Exception {
        Outcome[] o = both(new Scenario().policy(RetryPolicy.builder().attempts(4).delay(Duration.ofSeconds(1))
                .multiplier(2.0).jitter(true).build()).primary(new Same("same"), new Same("same"), "ok")
                .alternative("never"));

        assertThat(o[0].result()).isEqualTo("ok");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "primary(q)");
        assertThat(o[0].sleeps()).hasSize(2);
        assertThat(o[0].sleeps().get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    /** Wants nothing, and counts how often it is asked. */
    static final class Counting implements ReboundListener {
        int asked;

        @Override
        public Set<Kind> wantedKinds() {
            asked++;
            return EnumSet.noneOf(Kind.class);
        }

        @Override
        public void onEvent(ReboundEvent event) {
            throw new AssertionError("no event is wanted");
        }
    }

    @Test
    void eachListenerIsAskedOncePerCallWhateverTheLoop() throws Exception {
        for (boolean proxy : new boolean[] {false, true}) {
            for (boolean wants : new boolean[] {false, true}) {
                Counting quietOne = new Counting();
                Listener other = new Listener(wants);
                ReboundSettings settings = ReboundSettings.builder().logging(false).listener(quietOne).listener(other)
                        .timeSource(new VirtualTimeSource()).build();
                List<String> calls = new ArrayList<>();
                Scripted primary = new Scripted("primary", calls, new ArrayList<>(), new Same("same"));
                Rebound.Builder<Chat> b = Rebound.wrap(Chat.class, (Chat) primary).settings(settings)
                        .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build())
                        .withFallbacks(p -> "fallback(" + p + ")");
                Chat chat = (proxy ? b.viaJdkProxy() : b).build();

                assertThat(chat.chat("q")).isEqualTo("fallback(q)");
                assertThat(calls).hasSize(3);
                assertThat(quietOne.asked).as("proxy %s, wants %s", proxy, wants).isEqualTo(1);
                assertThat(other.received.isEmpty()).isEqualTo(!wants);
            }
        }
    }

    @Test
    void everyAttemptFailsWithoutFallbackAndTheCallerGetsTheLastWithTheOthersSuppressed() throws Exception {
        Outcome[] o = both(new Scenario().primary(io("p1"), io("p2"), io("p3")));

        assertThat(o[0].thrown()).isEqualTo("IOException:p3");
        assertThat(o[0].thrownIsTheTargetsOwn()).isTrue();
        assertThat(o[0].suppressed()).containsExactly("p1", "p2");
        assertThat(o[0].calls()).hasSize(3);
    }

    @Test
    void oneFailureInstanceThrownThriceIsThrownWithNothingSuppressed() throws Exception {
        Outcome[] o = both(new Scenario().primary(new Same("same")));

        assertThat(o[0].thrown()).isEqualTo("IOException:same");
        assertThat(o[0].suppressed()).isEmpty();
    }

    @Test
    void aPrimaryFailingWithOneInstanceThenAlternativesFailingOtherwiseLeavesThatInstanceWithTheirsSuppressed()
            throws Exception {
        Outcome[] o = both(new Scenario().primary(new Same("same")).alternative(io("a1"))
                .alternative(io("b1")));

        assertThat(o[0].thrown()).isEqualTo("IOException:same");
        assertThat(o[0].suppressed()).containsExactly("a1", "b1");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "primary(q)", "alt0(q)", "alt1(q)");
    }

    @Test
    void aPrimaryFailingWithOneInstanceThenAnAlternativesErrorGivesTheCallerTheError() throws Exception {
        Outcome[] o = both(new Scenario().primary(new Same("same"))
                .alternative((Supplier<Throwable>) () -> new AssertionError("a1")).alternative("never"));

        assertThat(o[0].thrown()).isEqualTo("AssertionError:a1");
        assertThat(o[0].suppressed()).containsExactly("same");
    }

    @Test
    void theFallbackAnswersWithTheCallsArgumentsAfterDistinctFailures() throws Exception {
        Outcome[] o = both(new Scenario().primary(io("p1"), io("p2"), io("p3")).alternative("fallback"));

        assertThat(o[0].result()).isEqualTo("fallback");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "primary(q)", "alt0(q)");
    }

    @Test
    void everyAlternativeFailingLeavesThePrimarysLastFailureWithAllOthersSuppressed() throws Exception {
        Outcome[] o = both(new Scenario().primary(io("p1"), io("p2"), io("p3")).alternative(io("a1"))
                .alternative(io("b1")));

        assertThat(o[0].thrown()).isEqualTo("IOException:p3");
        assertThat(o[0].suppressed()).containsExactly("p1", "p2", "a1", "b1");
        assertThat(o[0].calls()).endsWith("alt0(q)", "alt1(q)");
    }

    @Test
    void anAlternativesErrorIsWhatTheCallerGets() throws Exception {
        Outcome[] o = both(new Scenario().primary(io("p1")).alternative((Supplier<Throwable>) () -> new AssertionError("a1"))
                .alternative("never"));

        assertThat(o[0].thrown()).isEqualTo("AssertionError:a1");
        assertThat(o[0].suppressed()).as("three distinct instances").containsExactly("p1", "p1", "p1");
        assertThat(o[0].calls()).doesNotContain("alt1(q)");
    }

    /**
     * {@code fallbackOn} judges every hand-over, an alternative's failure too: one it does not list ends the
     * walk, and the caller gets it with every other failure suppressed, whichever loop ran the call.
     */
    @Test
    void anAlternativesFailureThatFallbackOnDoesNotListEndsTheWalkAsItselfInEveryLoop() throws Exception {
        Outcome[] o = both(new Scenario().fallbackOn(IOException.class).primary(io("p1"), io("p2"), io("p3"))
                .alternative(io("a1")).alternative((Supplier<Throwable>) () -> new IllegalStateException("b1"))
                .alternative("never"));

        assertThat(o[0].thrown()).isEqualTo("IllegalStateException:b1");
        assertThat(o[0].thrownIsTheTargetsOwn()).isTrue();
        assertThat(o[0].suppressed()).containsExactly("p1", "p2", "p3", "a1");
        assertThat(o[0].calls()).endsWith("alt0(q)", "alt1(q)").doesNotContain("alt2(q)");

        // the primary's failures one instance (the generated class's own loop), then the alternative's
        o = both(new Scenario().fallbackOn(IOException.class).primary(new Same("same"))
                .alternative((Supplier<Throwable>) () -> new IllegalStateException("a1")).alternative("never"));

        assertThat(o[0].thrown()).isEqualTo("IllegalStateException:a1");
        assertThat(o[0].suppressed()).containsExactly("same");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "primary(q)", "alt0(q)");

        // the last alternative's failure, listed: the caller gets the primary's last
        o = both(new Scenario().fallbackOn(IOException.class).primary(io("p1"), io("p2"), io("p3"))
                .alternative(io("a1")));

        assertThat(o[0].thrown()).isEqualTo("IOException:p3");
        assertThat(o[0].suppressed()).containsExactly("p1", "p2", "a1");
    }

    @Test
    void aFailureTheFiltersRefuseIsNotRetriedAndGoesToTheFallback() throws Exception {
        Outcome[] o = both(new Scenario().policy(RetryPolicy.builder().attempts(3).delay(Duration.ZERO)
                .abortOn(IllegalStateException.class).build())
                .primary((Supplier<Throwable>) () -> new IllegalStateException("p1")).alternative("fallback"));

        assertThat(o[0].result()).isEqualTo("fallback");
        assertThat(o[0].calls()).containsExactly("primary(q)", "alt0(q)");
        assertThat(o[0].sleeps()).isEmpty();
    }

    @Test
    void onlyTheListedFailuresAreRetried() throws Exception {
        Outcome[] o = both(new Scenario().policy(RetryPolicy.builder().attempts(4).delay(Duration.ZERO)
                .retryOn(IOException.class).build())
                .primary(io("p1"), (Supplier<Throwable>) () -> new IllegalArgumentException("p2")));

        assertThat(o[0].thrown()).isEqualTo("IllegalArgumentException:p2");
        assertThat(o[0].suppressed()).containsExactly("p1");
        assertThat(o[0].calls()).hasSize(2);
    }

    /** A failure whose getCause throws: the retry rule, which looks at causes, cannot read them. */
    static final class BrokenCause extends IllegalStateException {
        BrokenCause(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable getCause() {
            throw new IllegalArgumentException("broken getCause");
        }
    }

    /** The rule reads a cause that cannot be read as none: the failure is judged by itself, and kept. */
    @Test
    void aFailureWhoseCauseCannotBeReadIsJudgedByItselfInEveryLoop() throws Exception {
        RetryPolicy onlyIo = RetryPolicy.builder().attempts(3).delay(Duration.ZERO).retryOn(IOException.class).build();
        Supplier<Throwable> broken = () -> new BrokenCause("p1");

        Outcome[] o = both(new Scenario().policy(onlyIo).primary(broken).alternative("fallback"));
        assertThat(o[0].result()).isEqualTo("fallback");
        assertThat(o[0].calls()).containsExactly("primary(q)", "alt0(q)");

        o = both(new Scenario().policy(onlyIo).primary(broken));
        assertThat(o[0].thrown()).isEqualTo("BrokenCause:p1");
        assertThat(o[0].suppressed()).isEmpty();
        assertThat(o[0].calls()).containsExactly("primary(q)");
    }

    @Test
    void anErrorIsNeitherRetriedNorFallenBackFrom() throws Exception {
        Outcome[] o = both(new Scenario().primary((Supplier<Throwable>) () -> new AssertionError("p1"))
                .alternative("never"));

        assertThat(o[0].thrown()).isEqualTo("AssertionError:p1");
        assertThat(o[0].calls()).containsExactly("primary(q)");
    }

    @Test
    void jitteredBackoffSleepsTheSameWaitsFromTheSameRandom() throws Exception {
        Outcome[] o = both(new Scenario().policy(RetryPolicy.builder().attempts(4).delay(Duration.ofSeconds(1))
                .multiplier(2.0).jitter(true).build()).primary(io("p1"), io("p2"), io("p3"), "ok"));

        assertThat(o[0].result()).isEqualTo("ok");
        assertThat(o[0].sleeps()).hasSize(3);
        assertThat(o[0].sleeps().get(2)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void aRetryAfterHintLongerThanTheBackoffIsTheWait() throws Exception {
        Runnable hint = () -> RetryAfter.suggest(Duration.ofSeconds(5));
        Outcome[] o = both(new Scenario().policy(RetryPolicy.builder().attempts(3).delay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofSeconds(30)).jitter(false).build()).primary(hint, io("p1"), "ok"));

        assertThat(o[0].result()).isEqualTo("ok");
        assertThat(o[0].sleeps()).containsExactly(Duration.ofSeconds(5));
    }

    @Test
    void aRetryAfterHintBeyondMaxDelayEndsTheRetriesAtOnce() throws Exception {
        Runnable hint = () -> RetryAfter.suggest(Duration.ofMinutes(5));
        Outcome[] o = both(new Scenario().policy(RetryPolicy.builder().attempts(3).delay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofSeconds(30)).build()).primary(hint, io("p1"), "never").alternative("fallback"));

        assertThat(o[0].result()).isEqualTo("fallback");
        assertThat(o[0].calls()).containsExactly("primary(q)", "alt0(q)");
        assertThat(o[0].sleeps()).isEmpty();
    }

    @Test
    void aServersVerdictSetsTheWaitOrEndsTheRetries() throws Exception {
        Supplier<Throwable> wait3s = () -> new VerdictFailure("p-wait",
                ServerVerdict.of(Duration.ofSeconds(3).toNanos(), null, null));
        Supplier<Throwable> declined = () -> new VerdictFailure("p-declined", ServerVerdict.of(0L, null, false));
        Supplier<Throwable> quota = () -> new VerdictFailure("p-quota", ServerVerdict.of(0L, "billing", null));
        RetryPolicy policy = RetryPolicy.builder().attempts(5).delay(Duration.ofMillis(100)).jitter(false).build();

        Outcome[] o = both(new Scenario().policy(policy).primary(wait3s, declined));
        assertThat(o[0].sleeps()).containsExactly(Duration.ofSeconds(3));
        assertThat(o[0].thrown()).isEqualTo("VerdictFailure:p-declined");
        assertThat(o[0].suppressed()).containsExactly("p-wait");

        o = both(new Scenario().policy(policy).primary(quota).alternative("fallback"));
        assertThat(o[0].calls()).containsExactly("primary(q)", "alt0(q)");
    }

    @Test
    void aFailureWithTheInterruptFlagSetEndsTheCallWithoutFallbackAndKeepsTheFlag() throws Exception {
        Runnable interrupt = () -> Thread.currentThread().interrupt();
        Outcome[] o = both(new Scenario().primary(io("p1"), interrupt, io("p2"), "never").alternative("never"));

        assertThat(o[0].thrown()).isEqualTo("IOException:p2");
        assertThat(o[0].suppressed()).containsExactly("p1");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)");
        assertThat(o[0].interrupted()).isTrue();
    }

    @Test
    void anInterruptedWaitEndsTheCallWithoutFallbackAndKeepsTheFlag() throws Exception {
        Scenario s = new Scenario().policy(RetryPolicy.builder().attempts(3).delay(Duration.ofSeconds(1)).build())
                .primary(io("p1"), "never").alternative("never");
        s.time = () -> new TimeSource() {
            @Override
            public long nanoTime() {
                return 0L;
            }

            @Override
            public void sleep(long nanos) throws InterruptedException {
                throw new InterruptedException();
            }
        };
        Outcome[] o = both(s);

        assertThat(o[0].thrown()).isEqualTo("IOException:p1");
        assertThat(o[0].calls()).containsExactly("primary(q)");
        assertThat(o[0].interrupted()).isTrue();
    }

    /**
     * A sleep that throws (a broken TimeSource) ends the primary's attempts with what it threw, as any
     * last failure: the fallback answers; without one the caller gets it with the primary's failure
     * suppressed on it; after an Error no fallback is called. Whether the generated class's report sleeps
     * it (the first wait, or a later one of one instance thrown again) or the quiet loop.
     */
    @Test
    void aSleepThatThrowsEndsThePrimaryWithWhatItThrew() throws Exception {
        RetryPolicy waits = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build();
        Supplier<Throwable> broke = () -> new IllegalStateException("clock broke");
        Scenario s = new Scenario().policy(waits).primary(io("p1"), "never").alternative("fallback");
        s.time = () -> new BrokenSleep(0, broke);
        Outcome[] o = both(s);
        assertThat(o[0].result()).isEqualTo("fallback");
        assertThat(o[0].calls()).containsExactly("primary(q)", "alt0(q)");

        s = new Scenario().policy(waits).primary(io("p1"), "never");
        s.time = () -> new BrokenSleep(0, broke);
        o = both(s);
        assertThat(o[0].thrown()).isEqualTo("IllegalStateException:clock broke");
        assertThat(o[0].thrownIsTheTargetsOwn()).isFalse();
        assertThat(o[0].suppressed()).containsExactly("p1");

        s = new Scenario().policy(waits).primary(new Same("same"), new Same("same"), "never").alternative("fallback");
        s.time = () -> new BrokenSleep(1, broke);
        o = both(s);
        assertThat(o[0].result()).isEqualTo("fallback");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "alt0(q)");
        assertThat(o[0].sleeps()).containsExactly(Duration.ofMillis(100));

        s = new Scenario().policy(waits).primary(io("p1"), "never").alternative("never");
        s.time = () -> new BrokenSleep(0, () -> new AssertionError("clock broke"));
        o = both(s);
        assertThat(o[0].thrown()).isEqualTo("AssertionError:clock broke");
        assertThat(o[0].suppressed()).containsExactly("p1");
        assertThat(o[0].calls()).containsExactly("primary(q)");
    }

    @Test
    void aResilientAlternativeCalledInsideTheCallRunsItsOwnCallState() throws Exception {
        List<String> calls = new ArrayList<>();
        for (int run = 0; run < 4; run++) {
            boolean listened = run % 2 == 1;
            boolean proxy = run >= 2;
            calls.clear();
            ReboundSettings settings = ReboundSettings.builder().logging(false).listener(new Listener(listened))
                    .timeSource(new VirtualTimeSource()).build();
            RetryPolicy twice = RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build();
            Chat innerDown = p -> {
                calls.add("inner");
                throw new IOException("i");
            };
            Rebound.Builder<Chat> innerBuilder = Rebound.wrap(Chat.class, innerDown).withRetry(twice)
                    .withFallbacks(p -> "inner fallback").settings(settings);
            Chat inner = (proxy ? innerBuilder.viaJdkProxy() : innerBuilder).build();
            Chat outerDown = p -> {
                calls.add("outer");
                throw new IOException("o");
            };
            Rebound.Builder<Chat> outerBuilder = Rebound.wrap(Chat.class, outerDown).withRetry(twice)
                    .withFallbacks(inner).settings(settings);
            Chat outer = (proxy ? outerBuilder.viaJdkProxy() : outerBuilder).build();
            assertThat(Rebound.isGenerated(outer)).isEqualTo(!proxy);

            assertThat(outer.chat("q")).isEqualTo("inner fallback");
            assertThat(calls).containsExactly("outer", "outer", "inner", "inner");
        }
    }
}
