package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import dev.rebound.it.plain.Scripted;
import dev.rebound.it.plain.Scripted.Loop;
import dev.rebound.it.woven.WovenScripted;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundListener;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import dev.rebound.weaver.guice.ReboundModule;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The woven door and the Guice door run the primary's retries themselves while a call is quiet (no
 * listener wants its events, no tracer, its failures one instance): the engine judges each failure and
 * sleeps the wait ({@code ResilientMethod.retryNow}), the advice or the interceptor calls again, and the
 * engine takes the rest over ({@code takeOver}: a second distinct failure, the end of the retries, an
 * interrupt). Every scenario runs through both doors quietly and through the woven door with a listener
 * that wants every event (the chain), and asserts the same outcome: the calls in order, the waits slept
 * (virtual time, one seeded jitter), the caller's exception, what is suppressed on it, the interrupt
 * flag. Each call's stack shows which loop made it, so none can stand in for another unnoticed.
 */
class DoorRetryLoopTest {

    /** Wants every kind, or none, and counts how often it is asked. */
    static final class Listener implements ReboundListener {
        final boolean wantsAll;
        final List<ReboundEvent> received = new ArrayList<>();
        int asked;

        Listener(boolean wantsAll) {
            this.wantsAll = wantsAll;
        }

        @Override
        public Set<Kind> wantedKinds() {
            asked++;
            return wantsAll ? EnumSet.allOf(Kind.class) : EnumSet.noneOf(Kind.class);
        }

        @Override
        public void onEvent(ReboundEvent event) {
            received.add(event);
        }
    }

    /** The doors quietly, and each with a listener that wants every event (the chain). */
    enum Run {
        WOVEN, GUICE, CHAIN, GUICE_CHAIN;

        boolean listened() {
            return this == CHAIN || this == GUICE_CHAIN;
        }
    }

    /**
     * The primary's methods: {@code chat} (3 attempts, a fallback), {@code jittered} (4, backoff from 1 s
     * with jitter, a fallback), {@code alone} (3 attempts, no fallback).
     */
    enum Method {
        CHAT, JITTERED, ALONE
    }

    /** What one run shows. */
    record Outcome(String result, String thrown, boolean thrownIsTheTargetsOwn, List<String> suppressed,
            List<String> calls, List<Duration> sleeps, boolean interrupted) {
    }

    private ReboundSettings saved;
    private Listener listener;
    /** The clock of each run: a virtual one unless a scenario breaks its sleep. */
    private Supplier<TimeSource> clocks = VirtualTimeSource::new;

    @BeforeEach
    void save() {
        saved = ReboundSettings.global();
    }

    @AfterEach
    void restore() {
        ReboundSettings.setGlobal(saved);
        Scripted.reset();
        Thread.interrupted();
    }

    private static Supplier<Throwable> io(String message) {
        return () -> new IOException(message);
    }

    /** The scripts of one scenario, made anew for each run (so each run throws its own instances). */
    interface Scenario {
        void script(List<Object> primary, List<Object> backup);
    }

    /** Runs {@code s} through every run on the primary's method {@code method}. */
    private Outcome[] all(Method method, Scenario s) throws Exception {
        Outcome woven = run(Run.WOVEN, method, s);
        Outcome guice = run(Run.GUICE, method, s);
        Outcome chain = run(Run.CHAIN, method, s);
        Outcome guiceChain = run(Run.GUICE_CHAIN, method, s);
        assertThat(woven).as("the woven door's loop and the chain agree").isEqualTo(chain);
        assertThat(guice).as("the Guice door's loop and the chain agree").isEqualTo(chain);
        assertThat(guiceChain).as("the chain behind either door").isEqualTo(chain);
        return new Outcome[] {woven, guice, chain};
    }

    private Outcome run(Run run, Method method, Scenario s) throws Exception {
        Scripted.reset();
        s.script(Scripted.PRIMARY, Scripted.BACKUP);
        TimeSource clock = clocks.get();
        listener = new Listener(run.listened());
        ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).listener(listener).timeSource(clock)
                .random(new Random(42)).build());
        Scripted chat = run == Run.GUICE || run == Run.GUICE_CHAIN
                ? Guice.createInjector(new ReboundModule(), new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(Scripted.class).to(Scripted.Primary.class);
                    }
                }).getInstance(Scripted.class)
                : new WovenScripted();
        String result = null;
        Throwable thrown = null;
        try {
            result = switch (method) {
                case CHAT -> chat.chat("q");
                case JITTERED -> chat.jittered("q");
                case ALONE -> chat.alone("q");
            };
        } catch (Exception | Error t) {
            thrown = t;
        }
        boolean interrupted = Thread.interrupted();
        // the door makes the first call; then its own loop while the primary's failures are one instance,
        // then the quiet loop; with a listener that wants the events, the chain
        List<Loop> expected = new ArrayList<>();
        List<Throwable> primaryThrown = new ArrayList<>();
        int primaryCalls = 0;
        for (int k = 0; k < Scripted.CALLS.size(); k++) {
            boolean primary = Scripted.CALLS.get(k).startsWith("primary");
            boolean oneInstance = primary && primaryThrown.stream().allMatch(t -> t == primaryThrown.get(0));
            expected.add(k == 0 ? Loop.DOOR : run.listened() ? Loop.CHAIN : oneInstance ? Loop.DOOR : Loop.QUIET);
            if (primary && primaryCalls < Scripted.THROWN.size()) {
                primaryThrown.add(Scripted.THROWN.get(primaryCalls));
            }
            primaryCalls += primary ? 1 : 0;
        }
        assertThat(Scripted.MADE_BY).as("%s: the loop that made each call", run).isEqualTo(expected);
        if (run.listened() && Scripted.CALLS.size() > 1) {
            assertThat(listener.received).as("the chain reports to a listener that wants it").isNotEmpty();
        }
        List<String> suppressed = new ArrayList<>();
        if (thrown != null) {
            for (Throwable t : thrown.getSuppressed()) {
                suppressed.add(t.getMessage());
            }
        }
        Throwable caught = thrown;
        return new Outcome(result,
                thrown == null ? null : thrown.getClass().getSimpleName() + ":" + thrown.getMessage(),
                thrown != null && Scripted.THROWN.stream().anyMatch(t -> t == caught), suppressed,
                List.copyOf(Scripted.CALLS), clock instanceof BrokenSleep ? ((BrokenSleep) clock).sleeps()
                        : ((VirtualTimeSource) clock).sleeps(), interrupted);
    }

    @Test
    void oneFailureThenTheDoorsRetryAnswers() throws Exception {
        Outcome[] o = all(Method.CHAT, (p, b) -> p.addAll(List.of(io("p1"), "ok")));

        assertThat(o[0].result()).isEqualTo("ok");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)");
        assertThat(o[0].sleeps()).as("a zero wait is not slept").isEmpty();
    }

    @Test
    void oneInstanceThrownTwiceIsRetriedByTheDoorAfterJitteredWaits() throws Exception {
        Outcome[] o = all(Method.JITTERED, (p, b) -> {
            IOException same = new IOException("same");
            p.addAll(List.of((Supplier<Throwable>) () -> same, (Supplier<Throwable>) () -> same, "ok"));
        });

        assertThat(o[0].result()).isEqualTo("ok");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "primary(q)");
        assertThat(o[0].sleeps()).hasSize(2);
        assertThat(o[0].sleeps().get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(o[0].sleeps().get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    }

    @Test
    void aSecondDistinctFailureIsHandedToTheQuietLoop() throws Exception {
        Outcome[] o = all(Method.CHAT, (p, b) -> p.addAll(List.of(io("p1"), io("p2"), "ok")));

        assertThat(o[0].result()).isEqualTo("ok");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "primary(q)");
    }

    @Test
    void whenTheRetriesAreOverTheFallbackAnswersWithTheCallsArguments() throws Exception {
        Outcome[] o = all(Method.CHAT, (p, b) -> {
            IOException same = new IOException("down");
            p.add((Supplier<Throwable>) () -> same);
            b.add("backup answer");
        });

        assertThat(o[0].result()).isEqualTo("backup answer");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "primary(q)", "backup(q)");
    }

    @Test
    void everyFailureIsKeptWhenTheFallbackFailsToo() throws Exception {
        Outcome[] o = all(Method.CHAT, (p, b) -> {
            p.addAll(List.of(io("p1"), io("p2"), io("p3")));
            b.add(io("b1"));
        });

        // the alternative under its own retry (the interface's): three attempts
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "primary(q)", "backup(q)", "backup(q)",
                "backup(q)");
        assertThat(o[0].thrown()).isEqualTo("IOException:p3");
        assertThat(o[0].thrownIsTheTargetsOwn()).isTrue();
        assertThat(o[0].suppressed()).containsExactly("p1", "p2", "b1", "b1", "b1");
    }

    @Test
    void aFailureThatIsNotRetriedGoesStraightToTheFallback() throws Exception {
        Outcome[] o = all(Method.CHAT, (p, b) -> {
            p.add((Supplier<Throwable>) () -> new IllegalArgumentException("bad request"));
            b.add("backup answer");
        });

        assertThat(o[0].calls()).containsExactly("primary(q)", "backup(q)");
        assertThat(o[0].result()).isEqualTo("backup answer");
    }

    @Test
    void anInterruptEndsTheCallWithItsFailureAndTheFlagKept() throws Exception {
        Outcome[] o = all(Method.CHAT, (p, b) -> {
            p.addAll(List.of((Runnable) () -> Thread.currentThread().interrupt(), io("p1"), "never"));
            b.add("never");
        });

        assertThat(o[0].calls()).containsExactly("primary(q)");
        assertThat(o[0].thrown()).isEqualTo("IOException:p1");
        assertThat(o[0].interrupted()).isTrue();
    }

    @Test
    void distinctFailuresOfTheJitteredMethodAreHandedOverWithTheirWaits() throws Exception {
        Outcome[] o = all(Method.JITTERED, (p, b) -> p.addAll(List.of(io("p1"), io("p2"), io("p3"), "ok")));

        assertThat(o[0].result()).isEqualTo("ok");
        assertThat(o[0].sleeps()).hasSize(3);
        assertThat(o[0].sleeps().get(2)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void aRetryAfterHintBeyondMaxDelayEndsTheRetriesAtOnceAndIsNotJudgedTwice() throws Exception {
        // judged once by the door's report (the hint is taken then): judging the failure again after the
        // hand-over would find no hint and retry
        Outcome[] o = all(Method.JITTERED, (p, b) -> {
            p.addAll(List.of((Runnable) () -> RetryAfter.suggest(Duration.ofMinutes(5)), io("p1"), "never"));
            b.add("backup answer");
        });

        assertThat(o[0].calls()).containsExactly("primary(q)", "backup(q)");
        assertThat(o[0].result()).isEqualTo("backup answer");
        assertThat(o[0].sleeps()).isEmpty();
    }

    /**
     * A hint left on the thread by code that never threw is not the call's: each door forgets it as the call
     * starts (the Guice door's shortcut is closed while it is there), and the failure waits its own backoff.
     */
    @Test
    void aRetryAfterHintLeftOnTheThreadByCodeThatNeverThrewIsForgottenByTheNextCallThroughEachDoor()
            throws Exception {
        Outcome[] o = all(Method.CHAT, (p, b) -> {
            RetryAfter.suggest(Duration.ofSeconds(9)); // the scenario is scripted on the calling thread
            p.addAll(List.of(io("p1"), "ok"));
        });

        assertThat(o[0].result()).isEqualTo("ok");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)");
        assertThat(o[0].sleeps()).as("its own zero backoff, not the 9 s hint").isEmpty();
        assertThat(ResilientMethod.quiet()).as("nothing left on the thread").isTrue();
    }

    /**
     * A sleep that throws (a broken TimeSource) ends the primary's attempts with what it threw, the
     * failures before it suppressed on it, as any last failure: the fallback answers; after an Error it
     * is not called. Whether the door's report sleeps it (the first wait) or the quiet loop (after a
     * second distinct failure).
     */
    @Test
    void aSleepThatThrowsEndsThePrimaryWithWhatItThrew() throws Exception {
        clocks = () -> new BrokenSleep(0, () -> new IllegalStateException("clock broke"));
        Outcome[] o = all(Method.JITTERED, (p, b) -> {
            p.addAll(List.of(io("p1"), "never"));
            b.add("backup answer");
        });
        assertThat(o[0].result()).isEqualTo("backup answer");
        assertThat(o[0].calls()).containsExactly("primary(q)", "backup(q)");

        clocks = () -> new BrokenSleep(1, () -> new IllegalStateException("clock broke"));
        o = all(Method.JITTERED, (p, b) -> {
            p.addAll(List.of(io("p1"), io("p2"), "never"));
            b.add("backup answer");
        });
        assertThat(o[0].result()).isEqualTo("backup answer");
        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "backup(q)");
        assertThat(o[0].sleeps()).hasSize(1);

        clocks = () -> new BrokenSleep(0, () -> new AssertionError("clock broke"));
        o = all(Method.JITTERED, (p, b) -> {
            p.addAll(List.of(io("p1"), "never"));
            b.add("never");
        });
        assertThat(o[0].thrown()).isEqualTo("AssertionError:clock broke");
        assertThat(o[0].thrownIsTheTargetsOwn()).isFalse();
        assertThat(o[0].suppressed()).containsExactly("p1");
        assertThat(o[0].calls()).containsExactly("primary(q)");
    }

    @Test
    void withoutAFallbackTheCallerGetsTheLastFailureWithTheOthersSuppressed() throws Exception {
        Outcome[] o = all(Method.ALONE, (p, b) -> {
            IOException same = new IOException("same");
            p.addAll(List.of((Supplier<Throwable>) () -> same, io("p2"), io("p3")));
        });

        assertThat(o[0].calls()).containsExactly("primary(q)", "primary(q)", "primary(q)");
        assertThat(o[0].thrown()).isEqualTo("IOException:p3");
        assertThat(o[0].thrownIsTheTargetsOwn()).isTrue();
        assertThat(o[0].suppressed()).containsExactly("same", "p2");
    }

    @Test
    void theListenerIsAskedOncePerCallThoughTheCallChangesLoops() throws Exception {
        for (Run run : new Run[] {Run.WOVEN, Run.GUICE}) {
            run(run, Method.CHAT, (p, b) -> p.addAll(List.of(io("p1"), io("p2"), io("p3"), "never")));

            assertThat(listener.asked).as(run.name()).isEqualTo(1);
        }
    }
}
