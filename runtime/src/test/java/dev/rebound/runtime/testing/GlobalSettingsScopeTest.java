package dev.rebound.runtime.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.TimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tests that set the global settings (for woven classes, the Guice module, wrappers built without settings)
 * in parallel, as JUnit's parallel execution runs them: through a {@link GlobalSettingsScope} they take turns
 * and each sees its own calls only; the raw {@code setGlobal} of one while another's scope is open is refused.
 */
class GlobalSettingsScopeTest {

    public interface Model {
        String answer(String q) throws Exception;
    }

    private final ReboundSettings original = ReboundSettings.global();

    @AfterEach
    void theGlobalSettingsAreThoseBefore() {
        assertThat(ReboundSettings.global()).isSameAs(original);
    }

    /** Fails every other call: each call fails once, waits 100 ms, then answers. */
    private static Model failingEveryOtherCall() {
        AtomicInteger calls = new AtomicInteger();
        return q -> {
            if (calls.incrementAndGet() % 2 == 1) {
                throw new IOException("transient");
            }
            return "answer to " + q;
        };
    }

    /** A wrapper built without settings(...): it reads ReboundSettings.global() live, as woven classes do. */
    private static Model live(Model target) {
        return Rebound.wrap(Model.class, target)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .build();
    }

    /** One user test, as docs/testing.md writes it: its own clock and listener in a scope. */
    static final class UserTest {
        final VirtualTimeSource clock = new VirtualTimeSource();
        final List<Kind> events = new CopyOnWriteArrayList<>();

        ReboundSettings settings() {
            return ReboundSettings.builder().timeSource(clock).logging(false).listener(e -> events.add(e.kind())).build();
        }
    }

    private static void awaitBlocked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime() - deadline).as(t.getName() + " waits for the scope").isNegative();
            Thread.onSpinWait();
        }
    }

    /** A thread (a library's start-up, say) that sets {@code settings} global, noting what it throws. */
    private static Thread settingGlobal(ReboundSettings settings, AtomicReference<Throwable> outcome) {
        return new Thread(() -> {
            try {
                ReboundSettings.setGlobal(settings);
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "container-startup");
    }

    @Test
    void twoTestsInGlobalSettingsScopesInParallelEachSeeTheirOwnCallsOnly() throws Exception {
        Model live = live(failingEveryOtherCall());
        UserTest a = new UserTest();
        UserTest b = new UserTest();
        CountDownLatch aOpen = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread testB = new Thread(() -> {
            try {
                aOpen.await();
                try (GlobalSettingsScope scope = GlobalSettingsScope.open(b.settings())) { // test B starts meanwhile
                    assertThat(live.answer("from B")).isEqualTo("answer to from B");
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "test B");
        testB.start();

        try (GlobalSettingsScope scope = GlobalSettingsScope.open(a.settings())) {
            aOpen.countDown();
            awaitBlocked(testB);                                   // test B is in progress, waiting for A's scope
            assertThat(live.answer("from A")).isEqualTo("answer to from A");
            assertThat(b.events).as("test B made no call yet").isEmpty();
        }
        testB.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(failure.get()).isNull();
        List<Kind> ownCall = List.of(Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.SUCCEEDED);
        assertThat(a.events).containsExactlyElementsOf(ownCall);
        assertThat(b.events).containsExactlyElementsOf(ownCall);
        assertThat(a.clock.sleeps()).containsExactly(Duration.ofMillis(100));
        assertThat(b.clock.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    /**
     * The reviewer's shape: test B sets the global settings itself (setGlobal, then restore in finally) while
     * test A's scope is open. Refused, naming the scope's thread; A's settings stay, and A sees its own call.
     */
    @Test
    void setGlobalFromAnotherTestWhileAScopeIsOpenIsRefusedAndTheScopesSettingsStay() throws Exception {
        Model live = live(failingEveryOtherCall());
        UserTest a = new UserTest();
        UserTest b = new UserTest();
        ReboundSettings aSettings = a.settings();
        AtomicReference<Throwable> refused = new AtomicReference<>();

        try (GlobalSettingsScope scope = GlobalSettingsScope.open(aSettings)) {
            Thread testB = new Thread(() -> {
                try {
                    ReboundSettings.setGlobal(b.settings());
                } catch (Throwable t) {
                    refused.set(t);
                }
            }, "test B");
            testB.start();
            testB.join(TimeUnit.SECONDS.toMillis(10));

            assertThat(ReboundSettings.global()).isSameAs(aSettings);
            assertThat(live.answer("from A")).isEqualTo("answer to from A");
        }

        assertThat(refused.get()).isInstanceOf(IllegalStateException.class)
                .hasMessage("ReboundSettings.setGlobal: the global settings are held by a GlobalSettingsScope that"
                        + " thread " + Thread.currentThread().getName() + " opened (a test in progress), whose calls"
                        + " would run on these settings; set them in a GlobalSettingsScope too, which waits for it");
        assertThat(a.events).containsExactly(Kind.ATTEMPT_FAILED, Kind.RETRY_SCHEDULED, Kind.SUCCEEDED);
        assertThat(b.events).isEmpty();
        assertThat(ReboundSettings.global()).isSameAs(original);
        ReboundSettings.setGlobal(original); // no scope open: taken
    }

    /**
     * A setGlobal from another thread (a library's start-up, say) racing a scope's opening: held at the door of
     * setGlobal's monitor while the scope opens, it is refused when it gets in, naming the scope's thread; the
     * scope's settings stay. Holding the monitor only widens the window between a check and a swap, so the
     * interleaving is the same on every run.
     */
    @Test
    void aSetGlobalRacingAScopesOpeningIsRefusedAndTheScopesSettingsStay() throws Exception {
        ReboundSettings other = new UserTest().settings();
        ReboundSettings mine = new UserTest().settings();
        AtomicReference<Throwable> otherOutcome = new AtomicReference<>();
        Thread container = settingGlobal(other, otherOutcome);
        GlobalSettingsScope scope;
        synchronized (ReboundSettings.class) {
            container.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (container.getState() != Thread.State.BLOCKED) {
                assertThat(System.nanoTime() - deadline).as("container-startup waits for the monitor").isNegative();
                Thread.onSpinWait();
            }
            scope = GlobalSettingsScope.open(mine);                  // the test's scope opens meanwhile
        }
        container.join(TimeUnit.SECONDS.toMillis(10));
        try {
            assertThat(ReboundSettings.global()).as("the other thread's setGlobal: " + otherOutcome.get())
                    .isSameAs(mine);
        } finally {
            scope.close();
        }
        assertThat(otherOutcome.get()).isInstanceOf(IllegalStateException.class)
                .hasMessage("ReboundSettings.setGlobal: the global settings are held by a GlobalSettingsScope that"
                        + " thread " + Thread.currentThread().getName() + " opened (a test in progress), whose calls"
                        + " would run on these settings; set them in a GlobalSettingsScope too, which waits for it");
    }

    /**
     * A setGlobal from another thread that is past its check, in its swap (held there by its own clock), when a
     * scope opens: it lands before the scope's settings, the scope runs on its own, and closing puts back the
     * settings that other thread set, not those it replaced.
     */
    @Test
    void aSetGlobalInItsSwapWhenAScopeOpensLandsFirstAndIsWhatTheScopePutsBack() throws Exception {
        VirtualTimeSource virtual = new VirtualTimeSource();
        AtomicBoolean holdNextReading = new AtomicBoolean();
        CountDownLatch inSwap = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        TimeSource heldInTheSwap = new TimeSource() {
            @Override
            public long nanoTime() {                                 // read by setGlobal, in its monitor
                if (holdNextReading.compareAndSet(true, false)) {
                    inSwap.countDown();
                    try {
                        letGo.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return virtual.nanoTime();
            }

            @Override
            public void sleep(long nanos) throws InterruptedException {
                virtual.sleep(nanos);
            }
        };
        ReboundSettings other = ReboundSettings.builder().timeSource(heldInTheSwap).logging(false).build();
        ReboundSettings mine = new UserTest().settings();
        AtomicReference<Throwable> otherOutcome = new AtomicReference<>();
        Thread container = settingGlobal(other, otherOutcome);
        Thread test = Thread.currentThread();
        Thread letter = new Thread(() -> {                           // lets the swap go on once the scope waits
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (test.getState() != Thread.State.BLOCKED && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            letGo.countDown();
        }, "letter");
        holdNextReading.set(true);
        container.start();
        assertThat(inSwap.await(10, TimeUnit.SECONDS)).as("container-startup is in its swap").isTrue();
        letter.start();

        GlobalSettingsScope scope = GlobalSettingsScope.open(mine);
        container.join(TimeUnit.SECONDS.toMillis(10));
        letter.join(TimeUnit.SECONDS.toMillis(10));
        try {
            assertThat(ReboundSettings.global()).isSameAs(mine);
        } finally {
            scope.close();
        }
        assertThat(otherOutcome.get()).isNull();
        assertThat(ReboundSettings.global()).as("put back: what was there when the scope's settings were set")
                .isSameAs(other);
        ReboundSettings.setGlobal(original);
    }

    /** Scopes nest on one thread, each putting back what was there before it; a second close does nothing. */
    @Test
    void nestedScopesPutBackTheSettingsBeforeEachAndTheOpenerMayReplaceThem() {
        ReboundSettings outer = new UserTest().settings();
        ReboundSettings inner = new UserTest().settings();
        ReboundSettings replaced = new UserTest().settings();

        GlobalSettingsScope first = GlobalSettingsScope.open(outer);
        try (GlobalSettingsScope second = GlobalSettingsScope.open(inner)) {
            assertThat(ReboundSettings.global()).isSameAs(inner);
            ReboundSettings.setGlobal(replaced);                     // the opener's thread: taken
            assertThat(ReboundSettings.global()).isSameAs(replaced);
        }
        assertThat(ReboundSettings.global()).isSameAs(outer);
        first.close();
        first.close();
        assertThat(ReboundSettings.global()).isSameAs(original);
    }

    @Test
    void aScopeIsClosedOnTheThreadThatOpenedItOrTheCloseIsRefused() throws Exception {
        AtomicReference<Throwable> refused = new AtomicReference<>();
        try (GlobalSettingsScope scope = GlobalSettingsScope.open(new UserTest().settings())) {
            Thread other = new Thread(() -> {
                try {
                    scope.close();
                } catch (Throwable t) {
                    refused.set(t);
                }
            }, "other");
            other.start();
            other.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(refused.get()).isInstanceOf(IllegalStateException.class)
                .hasMessage("GlobalSettingsScope.close: close the scope on the thread that opened it ("
                        + Thread.currentThread().getName() + "), was other");
        assertThatThrownBy(() -> GlobalSettingsScope.open(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("settings");
    }
}
