package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Rebound.wrap keeps the nested-retry rule of every door: retries that multiply are warned about, once,
 * the inner call made directly or in a {@code Parallel} or {@code Batch} branch on another thread.
 */
class WrapNestedRetriesTest {

    interface Search {
        String find(String query);
    }

    interface Answers {
        String answer(String question);
    }

    static final class Index implements Search {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String find(String query) {
            calls.incrementAndGet();
            throw new UncheckedIOException(new IOException("503"));
        }
    }

    static final class Assistant implements Answers {
        private final Search search;

        Assistant(Search search) {
            this.search = search;
        }

        @Override
        public String answer(String question) {
            return search.find(question);
        }
    }

    @Test
    void aWrappedRetryInsideAnotherWrappedRetryIsWarnedAboutOnce() {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        RetryPolicy threeAttempts = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build();
        Index index = new Index();
        Search search = Rebound.wrap(Search.class, (Search) index).withRetry(threeAttempts).settings(settings)
                .build();
        Answers answers = Rebound.wrap(Answers.class, (Answers) new Assistant(search)).withRetry(threeAttempts)
                .settings(settings).build();

        assertTwoCallsWarnOnce(answers, index, 3, 3);
    }

    /** Two failing calls of {@code answers}: every attempt made, and the nested-retry warning logged once. */
    private static void assertTwoCallsWarnOnce(Answers answers, Index index, int outer, int inner) {
        String log = StdErr.during(() -> {
            catchThrowable(() -> answers.answer("q"));
            catchThrowable(() -> answers.answer("q"));
        });

        assertThat(index.calls).hasValue(2 * outer * inner);
        assertThat(log.lines().filter(l -> l.contains("Nested retries: Answers.answer(String) (" + outer
                + " attempts) calls Search.find(String) (" + inner + " attempts), so one call of Answers.answer(String) "
                + "can make up to " + outer * inner + " attempts of Search.find(String)")).count()).isEqualTo(1);
    }

    /**
     * An inner method whose first attempt the chain runs (its attempt timeout must see it, so no door runs
     * it inline) is checked too.
     */
    @Test
    void aTimedInnerRetryInsideAnotherRetryIsWarnedAboutToo() {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        RetryPolicy timed = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10))
                .attemptTimeout(Duration.ofHours(1)).build();
        Index index = new Index();
        Search search = Rebound.wrap(Search.class, (Search) index).withRetry(timed).settings(settings).build();
        Answers answers = Rebound.wrap(Answers.class, (Answers) new Assistant(search))
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build())
                .settings(settings).build();

        String log = StdErr.during(() -> catchThrowable(() -> answers.answer("q")));

        assertThat(index.calls).hasValue(3 * 3);
        assertThat(log.lines().filter(l -> l.contains("Nested retries: Answers.answer(String) (3 attempts) calls "
                + "Search.find(String) (3 attempts)")).count()).isEqualTo(1);
    }

    /**
     * An outer target written as a lambda: its method runs in a hidden class, whose frames a plain
     * stack walk does not show, and is still found.
     */
    @Test
    void aRetryInsideALambdaTargetWithARetryIsWarnedAboutToo() {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        RetryPolicy threeAttempts = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build();
        RetryPolicy twoAttempts = RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build();
        Index index = new Index();
        Search search = Rebound.wrap(Search.class, (Search) index).withRetry(threeAttempts).settings(settings)
                .build();
        Answers answers = Rebound.wrap(Answers.class, (Answers) q -> search.find(q)).withRetry(twoAttempts)
                .settings(settings).build();

        assertTwoCallsWarnOnce(answers, index, 2, 3);
    }

    interface Digger {
        String dig(int depth);
    }

    /**
     * Calls itself back through its wrapper, {@link #self}: each level is a call of the wrapper, with its
     * retry; made directly, or in a {@code Parallel} branch (the level above on the submitting thread).
     */
    static final class Digging implements Digger {
        final AtomicInteger calls = new AtomicInteger();
        final boolean inABranch;
        final Digger self;

        Digging(boolean inABranch, ReboundSettings settings) {
            this.inABranch = inABranch;
            this.self = Rebound.wrap(Digger.class, (Digger) this)
                    .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                    .settings(settings).build();
        }

        @Override
        public String dig(int depth) {
            calls.incrementAndGet();
            if (depth == 0) {
                throw new UncheckedIOException(new IOException("503"));
            }
            return inABranch ? Parallel.invokeAll(() -> self.dig(depth - 1), () -> "faq").get(0) : self.dig(depth - 1);
        }
    }

    private static final String RECURSION = "Nested retries: Digger.dig(int) (2 attempts) calls Digger.dig(int) "
            + "(2 attempts), itself: each level of the recursion retries, so the attempts multiply (4 at two levels, "
            + "8 at three)";

    @Test
    void aWrapperWhoseTargetCallsItBackMultipliesItsRetriesAndIsWarnedAboutOnce() {
        Digging digging = new Digging(false, ReboundSettings.builder().timeSource(new VirtualTimeSource()).build());

        String log = StdErr.during(() -> {
            catchThrowable(() -> digging.self.dig(2));
            catchThrowable(() -> digging.self.dig(2));
        });

        assertThat(digging.calls).as("2 + 2 x 2 + 2 x 2 x 2 bodies per call").hasValue(2 * (2 + 4 + 8));
        assertThat(log.lines().filter(l -> l.contains(RECURSION)).count()).as(log).isEqualTo(1);
    }

    @Test
    void aWrapperWhoseTargetCallsItBackInAParallelBranchIsWarnedAboutOnce() {
        Digging digging = new Digging(true, ReboundSettings.builder().timeSource(new VirtualTimeSource()).build());

        String log = StdErr.during(() -> catchThrowable(() -> digging.self.dig(1)));

        assertThat(digging.calls).as("2 + 2 x 2 bodies").hasValue(2 + 4);
        assertThat(log.lines().filter(l -> l.contains(RECURSION)).count()).as(log).isEqualTo(1);
    }

    /** A default method that calls itself back through the wrapper its implementation holds ({@link #wrapper}). */
    interface Descending {
        Descending wrapper();

        AtomicInteger bodies();

        default String dig(int depth) {
            bodies().incrementAndGet();
            if (depth == 0) {
                throw new UncheckedIOException(new IOException("503"));
            }
            return wrapper().dig(depth - 1);
        }
    }

    /** Inherits {@link Descending#dig}, whose code runs in the interface, and wraps itself with a retry. */
    static final class Descender implements Descending {
        final AtomicInteger bodies = new AtomicInteger();
        final Descending self = Rebound.wrap(Descending.class, (Descending) this)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource()).build()).build();

        @Override
        public Descending wrapper() {
            return self;
        }

        @Override
        public AtomicInteger bodies() {
            return bodies;
        }
    }

    /**
     * The same through a default method the target inherits: its frames are the interface's, where the wrapper's
     * executor is registered (before this version, under the target's class, where no frame of it ever shows: nothing
     * was said).
     */
    @Test
    void aWrapperWhoseTargetsInheritedDefaultMethodCallsItBackIsWarnedAboutOnce() {
        Descender descender = new Descender();

        String log = StdErr.during(() -> {
            catchThrowable(() -> descender.self.dig(2));
            catchThrowable(() -> descender.self.dig(2));
        });

        assertThat(descender.bodies).as("2 + 2 x 2 + 2 x 2 x 2 bodies per call").hasValue(2 * (2 + 4 + 8));
        assertThat(log.lines().filter(l -> l.contains("Nested retries: Descending.dig(int) (2 attempts) calls "
                + "Descending.dig(int) (2 attempts), itself")).count()).as(log).isEqualTo(1);
    }

    interface Lookup {
        String find(int id);

        String find(String name);
    }

    /** find(String) resolves the name to an id and calls find(int) back through its wrapper, {@link #self}. */
    static final class Directory implements Lookup {
        final AtomicInteger byId = new AtomicInteger();
        Lookup self;

        @Override
        public String find(int id) {
            byId.incrementAndGet();
            throw new UncheckedIOException(new IOException("503"));
        }

        @Override
        public String find(String name) {
            return self.find(name.length());
        }
    }

    /**
     * Two overloads are two methods: one retrying overload calling another makes a pair whose attempts
     * multiply (2 x 2 of find(int) per call), warned about once in the pair's words, though the class holds
     * both under one name.
     */
    @Test
    void aRetryingOverloadCallingAnotherRetryingOverloadIsWarnedAsNestedRetries() {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        Directory directory = new Directory();
        Lookup lookup = Rebound.wrap(Lookup.class, (Lookup) directory)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build())
                .settings(settings).build();
        directory.self = lookup;

        String log = StdErr.during(() -> {
            catchThrowable(() -> lookup.find("abc"));
            catchThrowable(() -> lookup.find("abc"));
        });

        assertThat(directory.byId).as("2 x 2 attempts of find(int) per call").hasValue(2 * 4);
        assertThat(log.lines().filter(l -> l.contains("Nested retries: Lookup.find(String) (2 attempts) calls "
                + "Lookup.find(int) (2 attempts), so one call of Lookup.find(String) can make up to 4 attempts of "
                + "Lookup.find(int)")).count()).as(log).isEqualTo(1);
        assertThat(log).doesNotContain("itself");
    }

    interface Chat {
        String chat(String prompt);
    }

    static final class Remote implements Chat {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String chat(String prompt) {
            calls.incrementAndGet();
            throw new UncheckedIOException(new IOException("503"));
        }
    }

    /** A decorator of another Chat (a router over a model): the same contract method, on another object. */
    record Routing(Chat next) implements Chat {
        @Override
        public String chat(String prompt) {
            return next.chat(prompt);
        }
    }

    /**
     * A retrying decorator over another retrying implementation of the same interface is a pair whose
     * attempts multiply (2 x 2), not a recursion: nothing calls itself, and the recursion's advice would
     * not apply.
     */
    @Test
    void aRetryingDecoratorOverAnotherRetryingImplementationIsWarnedAsAPairNotAsARecursion() {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        RetryPolicy two = RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(10)).build();
        Remote remote = new Remote();
        Chat inner = Rebound.wrap(Chat.class, (Chat) remote).withRetry(two).settings(settings).build();
        Chat outer = Rebound.wrap(Chat.class, (Chat) new Routing(inner)).withRetry(two).settings(settings).build();

        String log = StdErr.during(() -> {
            catchThrowable(() -> outer.chat("hi"));
            catchThrowable(() -> outer.chat("hi"));
        });

        assertThat(remote.calls).as("2 x 2 attempts per call").hasValue(2 * 4);
        assertThat(log.lines().filter(l -> l.contains("Nested retries: Chat.chat(String) (2 attempts) calls "
                + "Chat.chat(String) (2 attempts), so one call of Chat.chat(String) can make up to 4 attempts of "
                + "Chat.chat(String)")).count()).as(log).isEqualTo(1);
        assertThat(log).as("the words of a recursion").doesNotContain("itself");
    }

    /** The RAG tutorial's parallel step inside a retrying method: the search runs on a branch thread. */
    record ParallelAssistant(Search search) implements Answers {
        @Override
        public String answer(String question) {
            return String.join("\n", Parallel.invokeAll(() -> search.find(question), () -> "faq"));
        }
    }

    /** A retrying method asking its one question through a batch: the search runs on a branch thread. */
    record BatchAssistant(Search search) implements Answers {
        @Override
        public String answer(String question) {
            Batch.Result<String> r = Batch.map(List.of(question), 1, search::find).get(0);
            if (!r.isSuccess()) {
                throw (RuntimeException) r.failure();
            }
            return r.value();
        }
    }

    /**
     * Branches of branches on an executor of the caller's: the search runs two threads away from the
     * retrying method, each thread a pool thread of the caller's.
     */
    record BranchOfABranchAssistant(Search search, ExecutorService pool) implements Answers {
        @Override
        public String answer(String question) {
            Callable<String> inner = () -> search.find(question);
            Callable<String> outer = () -> Parallel.invokeAll(pool, List.of(inner)).get(0);
            return Parallel.invokeAll(pool, List.of(outer)).get(0);
        }
    }

    private static Answers retrying(Answers target, ReboundSettings settings) {
        return Rebound.wrap(Answers.class, target)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build())
                .settings(settings).build();
    }

    private static Search retrying(Index index, ReboundSettings settings) {
        return Rebound.wrap(Search.class, (Search) index)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build())
                .settings(settings).build();
    }

    @Test
    void aRetryInAParallelBranchOfAnotherRetryIsWarnedAboutOnce() {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        Index index = new Index();

        assertTwoCallsWarnOnce(retrying(new ParallelAssistant(retrying(index, settings)), settings), index, 3, 3);
    }

    @Test
    void aRetryInABatchInputOfAnotherRetryIsWarnedAboutOnce() {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        Index index = new Index();

        assertTwoCallsWarnOnce(retrying(new BatchAssistant(retrying(index, settings)), settings), index, 3, 3);
    }

    @Test
    void aRetryInABranchOfABranchOnTheCallersExecutorIsWarnedAboutOnce() throws Exception {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        Index index = new Index();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            assertTwoCallsWarnOnce(retrying(new BranchOfABranchAssistant(retrying(index, settings), pool), settings),
                    index, 3, 3);
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * What a branch's thread knew of its run is gone when the branch ends: a later task on the same pool
     * thread, in no branch, whose retrying call fails is nested in nothing, and nothing is warned.
     */
    @Test
    void aPoolThreadThatRanABranchOfARetryingMethodKeepsNothingOfItForItsNextTask() throws Exception {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Answers answers = retrying(q -> Parallel.invokeAll(pool, List.<Callable<String>>of(() -> "found " + q))
                    .get(0), settings);
            Index index = new Index();
            Search alone = retrying(index, settings);

            String log = StdErr.during(() -> {
                assertThat(answers.answer("q")).isEqualTo("found q");
                catchThrowable(() -> pool.submit(() -> alone.find("q")).get());
            });

            assertThat(index.calls).hasValue(3);
            assertThat(log).doesNotContain("Nested retries");
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static long nestedWarnings(String log) {
        return log.lines().filter(l -> l.contains("Nested retries: Answers.answer(String)")).count();
    }

    /**
     * The warning tells of the call it is logged in: a retrying wrapper over another instance of the same
     * class, built and dropped before, makes a call through a wrapper that makes one attempt warn of
     * nothing. The stack shows the assistant's method, not whose wrapper called it.
     */
    @Test
    void aRetryingWrapperOfTheSameClassBuiltAndDroppedBeforeDoesNotMakeAnotherWrappersCallWarnOfNestedRetries() {
        ReboundSettings settings = ReboundSettings.builder().timeSource(new VirtualTimeSource()).build();
        RetryPolicy threeAttempts = RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(10)).build();
        Index index = new Index();
        Search search = retrying(index, settings);
        Answers once = Rebound.wrap(Answers.class, (Answers) new Assistant(search))
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withFallbacks((Answers) q -> "canned").settings(settings).build();

        String first = StdErr.during(() -> assertThat(once.answer("q")).isEqualTo("canned"));
        assertThat(index.calls).hasValue(3);
        assertThat(nestedWarnings(first)).as("no nested retry in the first call").isZero();

        Answers retrying = Rebound.wrap(Answers.class, (Answers) new Assistant(q -> "fine")).withRetry(threeAttempts)
                .settings(settings).build();
        assertThat(retrying.answer("q")).isEqualTo("fine");
        WeakReference<Answers> dropped = new WeakReference<>(retrying);
        retrying = null;
        for (int i = 0; i < 50 && dropped.get() != null; i++) {
            System.gc();
        }
        assertThat(dropped.get()).as("the retrying wrapper is gone").isNull();

        String second = StdErr.during(() -> assertThat(once.answer("q")).isEqualTo("canned"));

        assertThat(index.calls).hasValue(6);
        assertThat(nestedWarnings(second)).as("nested-retry warnings of the second, identical call: " + second)
                .isZero();
    }
}
