package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    private final VirtualTimeSource time = new VirtualTimeSource();
    private final Events events = new Events();
    private final ReboundSettings settings = events.settings(time);
    private final Model.Fake primary = new Model.Fake("primary").down();
    private final Model.Fake backup = new Model.Fake("backup");

    /** Two attempts, no wait (the clock stays within one second), drawing on a budget. */
    private static RetryPolicy.Builder retry() {
        return RetryPolicy.builder().attempts(2).delay(Duration.ZERO).jitter(false);
    }

    private Model wrap(Model target, RetryPolicy retry, ReboundSettings s) {
        return Rebound.wrap(Model.class, target).withRetry(retry).withFallbacks(backup).settings(s).build();
    }

    private long exhaustedFor(String reason) {
        return events.of(Kind.RETRIES_EXHAUSTED).stream().filter(e -> reason.equals(e.reason())).count();
    }

    @Test
    void retriesStayWithinTheRatioOfCallsAndTheRestGoToTheFallbacks() {
        Model model = wrap(primary, retry().budgetRatio(0.5).budgetMinPerSecond(0).build(), settings);

        for (int i = 0; i < 11; i++) {
            assertThat(model.chat("q")).isEqualTo("backup:q");
        }

        // retry k is allowed once k <= 0.5 * (calls so far): calls 2, 4, 6, 8 and 10 retry
        assertThat(primary.calls).hasValue(11 + 5);
        assertThat(exhaustedFor("attempts")).isEqualTo(5);
        assertThat(exhaustedFor("budget")).isEqualTo(6);
        ReboundEvent refused = events.of(Kind.RETRIES_EXHAUSTED).get(0);
        assertThat(refused.reason()).isEqualTo("budget");
        assertThat(refused.attempt()).isEqualTo(1);
        assertThat(events.of(Kind.FALLBACK)).hasSize(11);
    }

    @Test
    void theCallsBeforeAFailurePayForItsRetry() {
        Model.Fake target = new Model.Fake("primary");
        Model model = wrap(target, retry().budgetRatio(0.5).budgetMinPerSecond(0).build(), settings);
        for (int i = 0; i < 100; i++) {
            assertThat(model.chat("ok")).isEqualTo("primary:ok");
        }

        target.thenFail(Model::outage);
        assertThat(model.chat("q")).isEqualTo("primary:q"); // 0.5 x 101 calls in the window pay for it

        assertThat(target.calls).hasValue(100 + 2);
        assertThat(events.of(Kind.RETRY_SCHEDULED)).hasSize(1);
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).isEmpty();
    }

    @Test
    void callsEarlierInTheWindowPayForARetryUntilTheyLeaveIt() {
        Model.Fake target = new Model.Fake("primary");
        Model model = wrap(target, retry().budgetRatio(0.2).budgetMinPerSecond(0).build(), settings);
        for (int second = 0; second < 9; second++) {
            for (int i = 0; i < 50; i++) {
                model.chat("ok");
            }
            time.advance(Duration.ofSeconds(1));
        }

        target.thenFail(Model::outage);
        assertThat(model.chat("q")).isEqualTo("primary:q"); // second 9: 0.2 x 451 calls in the window
        time.advance(Duration.ofSeconds(10));
        target.thenFail(Model::outage);
        assertThat(model.chat("q")).isEqualTo("backup:q");  // second 19: the window holds this call only

        assertThat(target.calls).hasValue(450 + 2 + 1);
        assertThat(events.of(Kind.RETRIES_EXHAUSTED)).extracting(ReboundEvent::reason).containsExactly("budget");
    }

    /**
     * budgetMinPerSecond is a reserve for the window, as Finagle's minRetriesPerSec: 10 x the minimum
     * within any 10 s whatever the traffic, which a burst may spend at once; each retry gives it back
     * when it leaves the window.
     */
    @Test
    void theMinimumPerSecondIsAReserveForTheWindowThatABurstMaySpendAtOnce() {
        Model model = wrap(primary, retry().budgetRatio(0.01).budgetMinPerSecond(2).build(), settings);

        for (int i = 0; i < 30; i++) {
            model.chat("q");
        }
        assertThat(primary.calls).hasValue(30 + 20); // 2 per second of a 10-second window, all in second 0

        time.advance(Duration.ofSeconds(9));
        model.chat("q");
        assertThat(primary.calls).hasValue(51 + 0); // the 20 retries are still in the window

        time.advance(Duration.ofSeconds(1));
        model.chat("q");
        assertThat(primary.calls).hasValue(52 + 1); // they left it
    }

    @Test
    void wrappersOfOneInterfaceShareItsBudgetUnderTheSameSettings() {
        RetryPolicy policy = retry().budgetRatio(0.01).budgetMinPerSecond(1).build();
        Model first = wrap(primary, policy, settings);
        Model.Fake otherPrimary = new Model.Fake("other").down();
        Model second = wrap(otherPrimary, policy, settings);
        Model.Fake isolatedPrimary = new Model.Fake("isolated").down();
        Model isolated = wrap(isolatedPrimary, policy, events.settings(time));

        for (int i = 0; i < 10; i++) {
            first.chat("q");
        }
        second.chat("q");
        isolated.chat("q");

        assertThat(primary.calls).hasValue(20);
        assertThat(otherPrimary.calls).hasValue(1);    // the interface's budget is spent
        assertThat(isolatedPrimary.calls).hasValue(2); // other settings, other budgets
    }

    /** Another interface, to share a named budget across interfaces. */
    interface Embedder {
        String embed(String text);
    }

    @Test
    void aNamedBudgetIsSharedAcrossInterfaces() {
        RetryPolicy named = retry().budget("provider").budgetRatio(0.01).budgetMinPerSecond(1).build();
        Model model = wrap(primary, named, settings);
        int[] embedCalls = {0};
        Embedder failing = text -> {
            embedCalls[0]++;
            throw Model.outage();
        };
        Embedder embedder = Rebound.wrap(Embedder.class, failing).withRetry(named).settings(settings).build();

        for (int i = 0; i < 10; i++) {
            model.chat("q");
        }
        assertThatThrownBy(() -> embedder.embed("t")).isInstanceOf(RuntimeException.class);

        assertThat(embedCalls[0]).isEqualTo(1);
    }

    @Test
    void aBudgetNamedTwiceWithOtherValuesIsAConfigurationError() {
        wrap(primary, retry().budget("provider").budgetRatio(0.2).build(), settings);
        RetryPolicy other = retry().budget("provider").budgetRatio(0.3).build();

        assertThatThrownBy(() -> wrap(primary, other, settings))
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessage("Invalid Rebound configuration: Rebound.wrap(Model): budget names retry budget"
                        + " \"provider\" (budgetRatio 0.2, budgetMinPerSecond 1) with budgetRatio 0.3,"
                        + " budgetMinPerSecond 1; every method naming a budget must give it the same values");
    }

    @Test
    void withoutARatioThereIsNoBudget() {
        Model model = wrap(primary, retry().build(), settings);

        for (int i = 0; i < 100; i++) {
            model.chat("q");
        }

        assertThat(primary.calls).hasValue(200);
        assertThat(exhaustedFor("budget")).isZero();
    }

    @Test
    void theBuilderValidatesTheBudget() {
        assertThatThrownBy(() -> RetryPolicy.builder().budgetRatio(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("budgetRatio = 1.5 is outside 0..1");
        assertThatThrownBy(() -> RetryPolicy.builder().budgetRatio(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("budgetRatio = NaN is outside 0..1");
        assertThatThrownBy(() -> RetryPolicy.builder().budgetMinPerSecond(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("budgetMinPerSecond = -1 is negative");
        assertThatThrownBy(() -> RetryPolicy.builder().budget(null))
                .isInstanceOf(NullPointerException.class).hasMessage("budget");
        assertThatThrownBy(() -> RetryPolicy.builder().budget("provider").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("budget = \"provider\" needs budgetRatio above 0");
        RetryPolicy p = RetryPolicy.builder().budget("provider").budgetRatio(0.2).budgetMinPerSecond(3).build();
        assertThat(p.hasBudget()).isTrue();
        assertThat(p.budget()).isEqualTo("provider");
        assertThat(p.budgetRatio()).isEqualTo(0.2);
        assertThat(p.budgetMinPerSecond()).isEqualTo(3);
        assertThat(RetryPolicy.builder().build().hasBudget()).isFalse();
        assertThat(RetryPolicy.builder().build().budgetMinPerSecond()).isEqualTo(1);
    }

    public interface MinOnly {
        @dev.rebound.annotations.Retry(attempts = 2, budgetMinPerSecond = 50)
        String chat(String prompt);
    }

    /** A budget minimum without a ratio is no budget at all: refused, as a budget name alone is. */
    @Test
    void aBudgetMinimumWithoutABudgetRatioIsRefusedAsABudgetNameIs() throws Exception {
        assertThatThrownBy(() -> RetryPolicy.builder().budgetMinPerSecond(50).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("budgetMinPerSecond = 50 needs budgetRatio above 0");
        assertThatThrownBy(() -> RetryPolicy.builder().budgetMinPerSecond(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("budgetMinPerSecond = 0 needs budgetRatio above 0");
        // the default, written or not, is no choice: the builder and the annotation agree on it
        assertThat(RetryPolicy.builder().budgetMinPerSecond(1).build().hasBudget()).isFalse();
        assertThat(dev.rebound.annotations.Retry.class.getMethod("budgetMinPerSecond").getDefaultValue())
                .isEqualTo(RetryPolicy.builder().build().budgetMinPerSecond());

        assertThatThrownBy(() -> Rebound.wrap(MinOnly.class, (MinOnly) prompt -> prompt).settings(settings).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("MinOnly.chat(String): @Retry.budgetMinPerSecond = 50 needs"
                                + " @Retry.budgetRatio above 0"));
    }

    @Test
    void eightThreadsNeverOverdrawTheBudget() throws Exception {
        Model model = wrap(primary, retry().budgetRatio(0.1).budgetMinPerSecond(0).build(),
                ReboundSettings.builder().timeSource(time).logging(false).build());
        int threads = 8;
        int calls = 1_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit((Callable<Void>) () -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int i = 0; i < calls; i++) {
                        model.chat("q");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        // every retry was granted while retries + 1 <= 0.1 * calls so far: never more than 800
        int retries = primary.calls.get() - threads * calls;
        assertThat(retries).isBetween(780, 800);
    }

    public interface Quotes {
        String quote(String symbol);
    }

    static final AtomicInteger ALTERNATIVE_CALLS = new AtomicInteger();

    public static class DownQuotes implements Quotes {
        @Override
        @Fallback(to = FlakyQuotes.class)
        public String quote(String symbol) {
            throw new IllegalStateException("primary down");
        }
    }

    /** Fails the first attempt of every call, answers the second; its own budget pays for one retry a call. */
    public static class FlakyQuotes implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0, jitter = false, budgetRatio = 1.0, budgetMinPerSecond = 0)
        public String quote(String symbol) {
            if (ALTERNATIVE_CALLS.incrementAndGet() % 2 == 1) {
                throw new IllegalStateException("alternative hiccup");
            }
            return "alternative " + symbol;
        }
    }

    @Test
    void anAlternativesOwnBudgetCountsTheCallsThatReachIt() {
        ALTERNATIVE_CALLS.set(0);
        Quotes quotes = Rebound.wrap(Quotes.class, (Quotes) new DownQuotes()).settings(settings).build();

        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            try {
                answers.add(quotes.quote("A"));
            } catch (IllegalStateException e) {
                answers.add(e.getMessage());
            }
        }

        assertThat(answers).containsOnly("alternative A").hasSize(20);
        assertThat(ALTERNATIVE_CALLS).hasValue(40);
        assertThat(exhaustedFor("budget")).isZero();
    }

    static final AtomicInteger SHARING_PRIMARY_CALLS = new AtomicInteger();

    /** Down; it and its alternative draw on the interface's budget. */
    public static class SharingQuotes implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0, jitter = false, budgetRatio = 0.5, budgetMinPerSecond = 0)
        @Fallback(to = SharingAlternative.class)
        public String quote(String symbol) {
            SHARING_PRIMARY_CALLS.incrementAndGet();
            throw new IllegalStateException("primary down");
        }
    }

    public static class SharingAlternative implements Quotes {
        @Override
        @Retry(attempts = 2, delay = 0, jitter = false, budgetRatio = 0.5, budgetMinPerSecond = 0)
        public String quote(String symbol) {
            return "alternative " + symbol;
        }
    }

    /**
     * A call reaching the primary and its alternative is one call for the budget both draw on: counted
     * twice, the primary's retries would reach 0.5 x 2 = all the calls.
     */
    @Test
    void aCallIsCountedOnceInABudgetItsPrimaryAndAlternativeShare() {
        SHARING_PRIMARY_CALLS.set(0);
        Quotes quotes = Rebound.wrap(Quotes.class, (Quotes) new SharingQuotes()).settings(settings).build();

        for (int i = 0; i < 10; i++) {
            assertThat(quotes.quote("A")).isEqualTo("alternative A");
        }

        // retry k is allowed once k <= 0.5 * (calls so far): calls 2, 4, 6, 8 and 10 retry
        assertThat(SHARING_PRIMARY_CALLS).hasValue(10 + 5);
        assertThat(exhaustedFor("budget")).isEqualTo(5);
    }

    @Test
    void theEventsSayWhyARetryWasNotMade() {
        Model model = wrap(primary, retry().budgetRatio(0.5).budgetMinPerSecond(0).build(), settings);

        model.chat("q");

        assertThat(events.all().stream().map(e -> e.kind() + (e.reason() != null ? ":" + e.reason() : ""))
                .collect(Collectors.toList()))
                .containsExactly("ATTEMPT_FAILED", "RETRIES_EXHAUSTED:budget", "FALLBACK", "SUCCEEDED:fallback");
    }
}
