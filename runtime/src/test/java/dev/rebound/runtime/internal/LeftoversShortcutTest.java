package dev.rebound.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * A thread keeps the doors off their shortcut ({@link Shortcut}) only while it holds something a call's start
 * must forget: a Retry-After hint from when it goes from none to some until it is taken, cleared, forgotten or
 * held apart; a rate-limited attempt while it runs (a call it makes opens a headers scope of its own). Each
 * counts once however often it is set, and never below what it added: the counter is read by reflection, and
 * each test asserts what it adds to it, whatever other tests left.
 */
class LeftoversShortcutTest {

    private static int closed() throws ReflectiveOperationException {
        Field f = Shortcut.class.getDeclaredField("CLOSED");
        f.setAccessible(true);
        return ((AtomicInteger) f.get(null)).get();
    }

    @Test
    void aHintClosesTheShortcutOnceHoweverOftenItIsSuggestedAndItsClearReopensItOnce() throws Exception {
        int before = closed();
        RetryAfter.suggest(Duration.ofSeconds(1));
        RetryAfter.suggest(Duration.ofSeconds(2));
        assertThat(closed()).as("two hints on one thread").isEqualTo(before + 1);
        RetryAfter.clear();
        assertThat(closed()).as("cleared").isEqualTo(before);
        RetryAfter.clear();
        assertThat(RetryAfter.takeNanos()).isZero();
        Leftovers.forget();
        assertThat(closed()).as("cleared, taken and forgotten again with nothing there").isEqualTo(before);
        RetryAfter.suggest(Duration.ofSeconds(3));
        assertThat(closed()).as("a hint after those: closed again").isEqualTo(before + 1);
        RetryAfter.suggest(Duration.ZERO);
        assertThat(closed()).as("a zero wait is none").isEqualTo(before);
    }

    @Test
    void aHintTakenOrForgottenReopensTheShortcut() throws Exception {
        int before = closed();
        RetryAfter.suggest(Duration.ofSeconds(7));
        assertThat(RetryAfter.takeNanos()).isEqualTo(Duration.ofSeconds(7).toNanos());
        assertThat(closed()).as("taken").isEqualTo(before);
        RetryAfter.suggest(Duration.ofSeconds(9));
        Leftovers.forget();
        assertThat(closed()).as("forgotten at a call's start").isEqualTo(before);
    }

    @Test
    void anAsynchronousAttemptTakesOnlyAHintSuggestedAfterItsMarkAndReopensOnlyThen() throws Exception {
        int before = closed();
        RetryAfter.suggest(Duration.ofSeconds(5)); // another client's, before the attempt began
        int mark = Leftovers.mark();
        assertThat(Leftovers.takeHintAfter(mark)).isZero();
        assertThat(closed()).as("an earlier hint is left where it is, and still closes").isEqualTo(before + 1);
        RetryAfter.suggest(Duration.ofSeconds(2));
        assertThat(Leftovers.takeHintAfter(mark)).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(closed()).as("the attempt's own, taken").isEqualTo(before);
    }

    @Test
    void aHintHeldApartWhileUserCodeRunsLeavesTheShortcutOpenAndIsPutBackWithItsClose() throws Exception {
        int before = closed();
        RetryAfter.suggest(Duration.ofSeconds(4));
        Object held = Leftovers.hold();
        assertThat(closed()).as("held apart: a call the listener makes has nothing to forget").isEqualTo(before);
        RetryAfter.suggest(Duration.ofSeconds(30)); // the listener's own call's client, never thrown
        assertThat(closed()).isEqualTo(before + 1);
        Leftovers.putBack(held);
        assertThat(closed()).as("the failure's own hint back, the listener's forgotten").isEqualTo(before + 1);
        assertThat(RetryAfter.takeNanos()).isEqualTo(Duration.ofSeconds(4).toNanos());
        assertThat(closed()).isEqualTo(before);

        Leftovers.putBack(Leftovers.hold());
        assertThat(closed()).as("nothing held, nothing put back").isEqualTo(before);
    }

    @Test
    void hintsOnTwoThreadsCloseTheShortcutOnceEachAndEachThreadReopensItsOwn() throws Exception {
        int before = closed();
        CountDownLatch suggested = new CountDownLatch(1);
        CountDownLatch cleared = new CountDownLatch(1);
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
            RetryAfter.suggest(Duration.ofSeconds(1));
            suggested.countDown();
            try {
                cleared.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            RetryAfter.clear();
        }, runnable -> new Thread(runnable).start());
        suggested.await();
        RetryAfter.suggest(Duration.ofSeconds(2));
        assertThat(closed()).isEqualTo(before + 2);
        RetryAfter.clear();
        assertThat(closed()).as("this thread's cleared, the other's still there").isEqualTo(before + 1);
        cleared.countDown();
        other.join();
        assertThat(closed()).isEqualTo(before);
    }

    public interface Chat {
        String chat(String prompt);
    }

    /**
     * A rate-limited attempt keeps the shortcut closed while it runs, so that a call it makes opens its own
     * headers scope whatever its door; the shortcut reopens when the attempt ends, answered or refused.
     */
    @Test
    void aRateLimitedAttemptClosesTheShortcutWhileItRunsAnsweredOrRefused() throws Exception {
        List<Integer> during = new ArrayList<>();
        Chat chat = Rebound.wrap(Chat.class, (Chat) prompt -> {
            try {
                during.add(closed());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            return "ok";
        }).withRateLimit(RateLimitPolicy.builder().key("shortcut-while-attempt").requestsPerMinute(1)
                .maxDelay(Duration.ZERO).build())
                .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false).build())
                .build();
        int before = closed();

        assertThat(chat.chat("a")).isEqualTo("ok");
        assertThat(during).containsExactly(before + 1);
        assertThat(closed()).as("after the attempt").isEqualTo(before);
        Assertions.assertThatThrownBy(() -> chat.chat("b")).isInstanceOf(RateLimitRefusedException.class);
        assertThat(during).as("refused: the target is not called").hasSize(1);
        assertThat(closed()).as("after the refusal").isEqualTo(before);
    }
}
