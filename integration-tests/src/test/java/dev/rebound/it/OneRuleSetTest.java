package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.weaver.guice.ReboundModule;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each rule has one home: the same bad value, written in an annotation and read by the runtime
 * (reflection), given to a builder, and compiled by javac with the weaver's annotation processor, is
 * rejected in the same words. One test per family of rules; each lists the words once, in the
 * annotation's form ({@code Chat.attempts(String): @Retry.attempts = 0 is outside 1..100}), and derives
 * the builder's form by naming the builder's attribute ({@code attempts = 0 is outside 1..100}).
 */
class OneRuleSetTest {

    @TempDir
    Path dir;

    /** What javac reports with rebound-weaver on the class path (its processor runs). */
    private List<String> processor(String type, String source) throws IOException {
        return new Javac(dir).errors(type, source);
    }

    /**
     * What the runtime reports when {@code Rebound.wrap} reads the same source's annotations by
     * reflection: {@code target} names the class to wrap, or null for a proxy of the interface.
     */
    private List<String> reader(String type, String source, String target) throws Exception {
        ClassLoader loader = new Javac(dir).load(type, source);
        List<String> problems = new ArrayList<>();
        assertThatThrownBy(() -> wrapped(loader, type, target, quiet(), null))
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> problems.addAll(e.problems()));
        return problems;
    }

    /** Settings of their own: retry budgets live per settings, so no test sees another's. */
    private static ReboundSettings quiet() {
        return ReboundSettings.builder().logging(false).build();
    }

    /**
     * {@code Rebound.wrap} of {@code type}, over an instance of {@code target} (or a proxy when null),
     * with the annotations or, when given, {@code retry}.
     */
    @SuppressWarnings("unchecked")
    private static Object wrapped(ClassLoader loader, String type, String target, ReboundSettings settings,
            RetryPolicy retry) throws ReflectiveOperationException {
        Class<Object> itf = (Class<Object>) loader.loadClass(type);
        Object impl = target == null
                ? Proxy.newProxyInstance(loader, new Class<?>[] {itf}, (p, m, args) -> null)
                : loader.loadClass(target).getConstructor().newInstance();
        Rebound.Builder<Object> b = Rebound.wrap(itf, impl).settings(settings);
        return (retry == null ? b : b.withRetry(retry)).build();
    }

    /** The problems {@code Rebound.wrap} of {@code type} reports under {@code settings} (and {@code retry}, if given). */
    private static List<String> wrapProblems(ClassLoader loader, String type, ReboundSettings settings,
            RetryPolicy retry) {
        List<String> problems = new ArrayList<>();
        assertThatThrownBy(() -> wrapped(loader, type, null, settings, retry))
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> problems.addAll(e.problems()));
        return problems;
    }

    private static String builder(Supplier<?> build) {
        List<String> message = new ArrayList<>();
        assertThatThrownBy(build::get).isInstanceOfSatisfying(IllegalArgumentException.class,
                e -> message.add(e.getMessage()));
        return message.get(0);
    }

    /**
     * An annotation problem in a builder's words: no method, and the builder's names for the attributes,
     * given as pairs (annotation's, builder's), replaced in order.
     */
    private static String asBuilder(String problem, String... names) {
        String words = problem.substring(problem.indexOf("): ") + 3);
        for (int i = 0; i < names.length; i += 2) {
            words = words.replace(names[i], names[i + 1]);
        }
        return words;
    }

    private void sameInEveryPath(String type, String source, List<String> expected) throws Exception {
        assertThat(processor(type, source)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(reader(type, source, null)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void retryBoundsReadTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        List<String> expected = List.of(
                "Chat.attempts(String): @Retry.attempts = 0 is outside 1..100",
                "Chat.delay(String): @Retry.delay = -1 ms is negative",
                "Chat.maxDelay(String): @Retry.maxDelay = 10 ms is below @Retry.delay = 500 ms",
                "Chat.multiplier(String): @Retry.multiplier = 0.5 must be a finite number >= 1.0",
                "Chat.maxDuration(String): @Retry.maxDuration = -1 ms is negative");
        sameInEveryPath("Chat", """
                import dev.rebound.annotations.Retry;
                public interface Chat {
                    @Retry(attempts = 0) String attempts(String p);
                    @Retry(delay = -1) String delay(String p);
                    @Retry(delay = 500, maxDelay = 10) String maxDelay(String p);
                    @Retry(multiplier = 0.5) String multiplier(String p);
                    @Retry(maxDuration = -1) String maxDuration(String p);
                }
                """, expected);

        assertThat(List.of(
                builder(() -> RetryPolicy.builder().attempts(0)),
                builder(() -> RetryPolicy.builder().delay(Duration.ofMillis(-1))),
                builder(() -> RetryPolicy.builder().delay(Duration.ofMillis(500)).maxDelay(Duration.ofMillis(10))
                        .build()),
                builder(() -> RetryPolicy.builder().multiplier(0.5)),
                builder(() -> RetryPolicy.builder().maxDuration(Duration.ofMillis(-1)))))
                .isEqualTo(expected.stream().map(p -> asBuilder(p, "@Retry.", "")).toList());
    }

    @Test
    void aTimeValueReadsInItsLargestExactUnitFromAnnotationBuilderAndProcessor() throws Exception {
        List<String> expected = List.of(
                "Chat.waits(String): @Retry.maxDelay = 500 ms is below @Retry.delay = 1 s",
                "Chat.opens(String): @CircuitBreaker.delay = 375 d is above 365 d",
                "Chat.negative(String): @Retry.delay = -1 min is negative");
        sameInEveryPath("Chat", """
                import dev.rebound.annotations.CircuitBreaker;
                import dev.rebound.annotations.Retry;
                import java.util.concurrent.TimeUnit;
                public interface Chat {
                    @Retry(delay = 1000, maxDelay = 500) String waits(String p);
                    @CircuitBreaker(delay = 9000, unit = TimeUnit.HOURS) String opens(String p);
                    @Retry(delay = -60, unit = TimeUnit.SECONDS) String negative(String p);
                }
                """, expected);

        assertThat(List.of(
                builder(() -> RetryPolicy.builder().delay(Duration.ofMillis(1000)).maxDelay(Duration.ofMillis(500))
                        .build()),
                builder(() -> CircuitBreakerPolicy.builder().delay(Duration.ofHours(9000))),
                builder(() -> RetryPolicy.builder().delay(Duration.ofSeconds(-60)))))
                .isEqualTo(expected.stream().map(p -> asBuilder(p, "@Retry.", "", "@CircuitBreaker.", "")).toList());
    }

    @Test
    void namedClassesThatCannotBeMadeReadTheSameFromAnnotationAndProcessor() throws Exception {
        sameInEveryPath("Chat", """
                public interface Chat {
                    @dev.rebound.annotations.Retry(onResult = {java.util.function.Predicate.class, Outer.Inner.class,
                            Hidden.class})
                    String chat(String p);
                }
                class Outer {
                    public class Inner implements java.util.function.Predicate<Object> {
                        public boolean test(Object o) { return false; }
                    }
                }
                class Hidden implements java.util.function.Predicate<Object> {
                    public boolean test(Object o) { return false; }
                }
                """, List.of(
                "Chat.chat(String): @Retry.onResult java.util.function.Predicate is an interface",
                "Chat.chat(String): @Retry.onResult Outer$Inner is an inner (non-static) class",
                "Chat.chat(String): @Retry.onResult Hidden is not public"));
    }

    @Test
    void aMethodWithVarargsOrATypeVariableParameterIsNamedAlikeByTheProcessorAndTheRuntime() throws Exception {
        sameInEveryPath("Chat", """
                import dev.rebound.annotations.Retry;
                public interface Chat<T> {
                    @Retry(attempts = 0) String varargs(String... parts);
                    @Retry(attempts = 0) String generic(T input);
                    @Retry(attempts = 0) <N extends Number> String bounded(N n, java.util.List<N>[] lists, int i);
                }
                """, List.of(
                "Chat.varargs(String[]): @Retry.attempts = 0 is outside 1..100",
                "Chat.generic(Object): @Retry.attempts = 0 is outside 1..100",
                "Chat.bounded(Number, List[], int): @Retry.attempts = 0 is outside 1..100"));
    }

    @Test
    void aTypeLevelBadAttributeIsNamedPerMethodItReachesByTheProcessorAsByTheRuntime() throws Exception {
        sameInEveryPath("Typed", """
                import dev.rebound.annotations.Retry;
                @Retry(attempts = 0)
                public interface Typed extends Base {
                    String ask(String p);
                    String tell(String p);
                    @Retry(attempts = 2) String own(String p);
                    java.util.stream.Stream<String> lines(String p);
                }
                interface Base {
                    String inherited(String p);
                }
                """, List.of(
                "Typed.ask(String): @Retry.attempts = 0 is outside 1..100",
                "Typed.tell(String): @Retry.attempts = 0 is outside 1..100",
                "Typed.inherited(String): @Retry.attempts = 0 is outside 1..100"));
    }

    /**
     * Each problem is named by the method that carries the annotation it is about, as its source declares it, or
     * for a type-level one by the annotated type with each method it reaches: a bad {@code @Retry} written on the
     * interface's method names the interface's, a bad {@code @CircuitBreaker} on the class's override the class's,
     * alike by the processor, {@code Rebound.wrap} and Guice.
     */
    @Test
    void eachProblemIsNamedByTheMethodOrTypeThatCarriesItsAnnotationByTheProcessorAndEveryDoor() throws Exception {
        String source = """
                import dev.rebound.annotations.*;
                public interface Chat {
                    @Retry(attempts = 0) String chat(String p);
                    String ask(String p);
                    class Impl implements Chat {
                        @CircuitBreaker(failureRatio = 0) public String chat(String p) { return p; }
                        public String ask(String p) { return p; }
                    }
                    @CircuitBreaker(failureRatio = 0)
                    class Typed implements Chat {
                        public String chat(String p) { return p; }
                        public String ask(String p) { return p; }
                    }
                }
                """;
        String retry = "Chat.chat(String): @Retry.attempts = 0 is outside 1..100";
        String ratio = ": @CircuitBreaker.failureRatio = 0.0 must be more than 0 and at most 1";

        assertThat(processor("Chat", source)).containsExactlyInAnyOrder(retry, "Impl.chat(String)" + ratio,
                "Typed.chat(String)" + ratio, "Typed.ask(String)" + ratio);
        assertThat(reader("Chat", source, "Chat$Impl")).containsExactly(retry, "Impl.chat(String)" + ratio);
        assertThat(reader("Chat", source, "Chat$Typed")).containsExactlyInAnyOrder(retry,
                "Typed.chat(String)" + ratio, "Typed.ask(String)" + ratio);
        ClassLoader loader = new Javac(dir).load("Chat", source);
        Class<?> typed = loader.loadClass("Chat$Typed");
        assertThatThrownBy(() -> Guice.createInjector(new ReboundModule(quiet()), binder -> binder.bind(typed)))
                .isInstanceOfSatisfying(CreationException.class, e -> assertThat(e.getErrorMessages())
                        .extracting(com.google.inject.spi.Message::getMessage).containsExactlyInAnyOrder(retry,
                                "Typed.chat(String)" + ratio, "Typed.ask(String)" + ratio));
    }

    @Test
    void retryBudgetAttributesReadTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        List<String> expected = List.of(
                "Chat.ratio(String): @Retry.budgetRatio = 1.5 is outside 0..1",
                "Chat.floor(String): @Retry.budgetMinPerSecond = -1 is negative",
                "Chat.named(String): @Retry.budget = \"openai\" needs @Retry.budgetRatio above 0",
                "Chat.floorAlone(String): @Retry.budgetMinPerSecond = 50 needs @Retry.budgetRatio above 0");
        sameInEveryPath("Chat", """
                import dev.rebound.annotations.Retry;
                public interface Chat {
                    @Retry(budgetRatio = 1.5) String ratio(String p);
                    @Retry(budgetRatio = 0.2, budgetMinPerSecond = -1) String floor(String p);
                    @Retry(budget = "openai") String named(String p);
                    @Retry(budgetMinPerSecond = 50) String floorAlone(String p);
                    @Retry(budgetMinPerSecond = 1) String theDefault(String p);
                }
                """, expected);

        assertThat(List.of(
                builder(() -> RetryPolicy.builder().budgetRatio(1.5)),
                builder(() -> RetryPolicy.builder().budgetMinPerSecond(-1)),
                builder(() -> RetryPolicy.builder().budget("openai").build()),
                builder(() -> RetryPolicy.builder().budgetMinPerSecond(50).build())))
                .isEqualTo(expected.stream().map(p -> asBuilder(p, "@Retry.", "")).toList());
    }

    @Test
    void aRetryBudgetDefinedTwiceReadsTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        String source = """
                import dev.rebound.annotations.Retry;
                public interface Chat {
                    @Retry(budget = "openai", budgetRatio = 0.2) String first(String p);
                    interface Other {
                        @Retry(budget = "openai", budgetRatio = 0.3) String second(String p);
                    }
                }
                """;
        String expected = "Other.second(String): @Retry.budget names retry budget \"openai\" (budgetRatio 0.2, "
                + "budgetMinPerSecond 1) with budgetRatio 0.3, budgetMinPerSecond 1; every method naming a budget "
                + "must give it the same values";
        assertThat(processor("Chat", source)).containsExactly(expected);

        ClassLoader loader = new Javac(dir).load("Chat", source);
        ReboundSettings shared = quiet();
        Object first = wrapped(loader, "Chat", null, shared, null);
        assertThat(first).isNotNull();
        assertThat(wrapProblems(loader, "Chat$Other", shared, null)).containsExactly(expected);

        assertThat(wrapProblems(loader, "Chat$Other", shared,
                RetryPolicy.builder().budget("openai").budgetRatio(0.3).build())).containsExactly("Rebound.wrap(Other): "
                + asBuilder(expected, "@Retry.budget", "budget"));
    }

    @Test
    void retryFailureListsReadTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        List<String> expected = List.of(
                "Chat.error(String): @Retry.on lists java.lang.StackOverflowError, an Error: Errors are never "
                        + "retried",
                "Chat.interrupt(String): @Retry.on lists java.lang.InterruptedException: an interrupted call is "
                        + "never retried",
                "Chat.both(String): @Retry.on and @Retry.abortOn both list java.io.IOException",
                "Chat.covered(String): @Retry.on lists java.net.ConnectException, a subclass of java.io.IOException,"
                        + " which @Retry.abortOn lists: it would never be retried");
        sameInEveryPath("Chat", """
                import dev.rebound.annotations.Retry;
                public interface Chat {
                    @Retry(on = StackOverflowError.class) String error(String p);
                    @Retry(on = InterruptedException.class) String interrupt(String p);
                    @Retry(on = java.io.IOException.class, abortOn = java.io.IOException.class) String both(String p);
                    @Retry(on = java.net.ConnectException.class, abortOn = java.io.IOException.class)
                    String covered(String p);
                    @Retry(on = java.io.IOException.class, abortOn = java.net.ConnectException.class)
                    String narrowed(String p);
                }
                """, expected);

        assertThat(List.of(
                builder(() -> RetryPolicy.builder().retryOn(StackOverflowError.class)),
                builder(() -> RetryPolicy.builder().retryOn(InterruptedException.class)),
                builder(() -> RetryPolicy.builder().retryOn(IOException.class).abortOn(IOException.class).build()),
                builder(() -> RetryPolicy.builder().retryOn(java.net.ConnectException.class).abortOn(IOException.class)
                        .build())))
                .isEqualTo(expected.stream().map(p -> asBuilder(p, "@Retry.on", "retryOn",
                        "@Retry.abortOn", "abortOn")).toList());
    }

    @Test
    void circuitBreakerAttributesReadTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        List<String> expected = List.of(
                "Chat.window(String): @CircuitBreaker.requestVolumeThreshold = 0 is outside 1..10000",
                "Chat.ratio(String): @CircuitBreaker.failureRatio = 0.0 must be more than 0 and at most 1",
                "Chat.delay(String): @CircuitBreaker.delay = -1 ms is negative",
                "Chat.successes(String): @CircuitBreaker.successThreshold = 0 is below 1",
                "Chat.probes(String): @CircuitBreaker.halfOpenProbes = 0 is below 1",
                "Chat.error(String): @CircuitBreaker.on lists java.lang.OutOfMemoryError, an Error: Errors are "
                        + "never recorded by a circuit breaker",
                "Chat.both(String): @CircuitBreaker.on and @CircuitBreaker.skipOn both list java.io.IOException",
                "Chat.longDelay(String): @CircuitBreaker.delay = 400 d is above 365 d",
                "Chat.covered(String): @CircuitBreaker.on lists java.net.ConnectException, a subclass of"
                        + " java.io.IOException, which @CircuitBreaker.skipOn lists: it would never be recorded by a"
                        + " circuit breaker");
        sameInEveryPath("Chat", """
                import dev.rebound.annotations.CircuitBreaker;
                public interface Chat {
                    @CircuitBreaker(requestVolumeThreshold = 0) String window(String p);
                    @CircuitBreaker(failureRatio = 0) String ratio(String p);
                    @CircuitBreaker(delay = -1) String delay(String p);
                    @CircuitBreaker(successThreshold = 0) String successes(String p);
                    @CircuitBreaker(halfOpenProbes = 0) String probes(String p);
                    @CircuitBreaker(on = OutOfMemoryError.class) String error(String p);
                    @CircuitBreaker(on = java.io.IOException.class, skipOn = java.io.IOException.class)
                    String both(String p);
                    @CircuitBreaker(delay = 400, unit = java.util.concurrent.TimeUnit.DAYS) String longDelay(String p);
                    @CircuitBreaker(delay = 365, unit = java.util.concurrent.TimeUnit.DAYS) String aYear(String p);
                    @CircuitBreaker(on = java.net.ConnectException.class, skipOn = java.io.IOException.class)
                    String covered(String p);
                    @CircuitBreaker(on = java.io.IOException.class, skipOn = java.net.ConnectException.class)
                    String narrowed(String p);
                }
                """, expected);

        assertThat(List.of(
                builder(() -> CircuitBreakerPolicy.builder().requestVolumeThreshold(0)),
                builder(() -> CircuitBreakerPolicy.builder().failureRatio(0)),
                builder(() -> CircuitBreakerPolicy.builder().delay(Duration.ofMillis(-1))),
                builder(() -> CircuitBreakerPolicy.builder().successThreshold(0)),
                builder(() -> CircuitBreakerPolicy.builder().halfOpenProbes(0)),
                builder(() -> CircuitBreakerPolicy.builder().failOn(OutOfMemoryError.class).build()),
                builder(() -> CircuitBreakerPolicy.builder().failOn(IOException.class).skipOn(IOException.class)
                        .build()),
                builder(() -> CircuitBreakerPolicy.builder().delay(Duration.ofDays(400))),
                builder(() -> CircuitBreakerPolicy.builder().failOn(java.net.ConnectException.class)
                        .skipOn(IOException.class).build())))
                .isEqualTo(expected.stream().map(p -> asBuilder(p, "@CircuitBreaker.on", "failOn",
                        "@CircuitBreaker.", "")).toList());
    }

    public interface Chat {
        String chat(String prompt);
    }

    @Test
    void fallbackListsReadTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        List<String> expected = List.of(
                "Chat.twice(String): @Fallback.to lists Chat$Backup more than once",
                "Chat.stranger(String): @Fallback.to java.lang.String does not implement Chat",
                "Chat.error(String): @Fallback.on lists java.lang.StackOverflowError, an Error: Errors are never "
                        + "caught by a fallback",
                "Chat.interrupt(String): @Fallback.on lists java.lang.InterruptedException: an interrupted call is "
                        + "never caught by a fallback",
                "Chat.covered(String): @Fallback.on lists java.net.ConnectException, a subclass of java.io.IOException,"
                        + " which @Fallback.skipOn lists: it would never be caught by a fallback");
        sameInEveryPath("Chat", """
                import dev.rebound.annotations.Fallback;
                public interface Chat {
                    @Fallback(to = {Backup.class, Backup.class}) String twice(String p);
                    @Fallback(to = String.class) String stranger(String p);
                    @Fallback(to = Backup.class, on = StackOverflowError.class) String error(String p);
                    @Fallback(to = Backup.class, on = InterruptedException.class) String interrupt(String p);
                    @Fallback(to = Backup.class, on = java.net.ConnectException.class,
                            skipOn = java.io.IOException.class)
                    String covered(String p);
                    @Fallback(to = Backup.class, on = java.io.IOException.class,
                            skipOn = java.net.ConnectException.class)
                    String narrowed(String p);
                    class Backup implements Chat {
                        public String twice(String p) { return p; }
                        public String stranger(String p) { return p; }
                        public String error(String p) { return p; }
                        public String interrupt(String p) { return p; }
                        public String covered(String p) { return p; }
                        public String narrowed(String p) { return p; }
                    }
                }
                """, expected);

        Chat primary = p -> p;
        Chat other = p -> "other";
        assertThat(List.of(
                builder(() -> Rebound.wrap(Chat.class, primary).withFallbacks(other, other)),
                builder(() -> Rebound.wrap(Chat.class, primary).fallbackOn(StackOverflowError.class)),
                builder(() -> Rebound.wrap(Chat.class, primary).fallbackOn(InterruptedException.class))))
                .containsExactly("alternatives lists alternatives[1] more than once",
                        asBuilder(expected.get(2), "@Fallback.on", "fallbackOn"),
                        asBuilder(expected.get(3), "@Fallback.on", "fallbackOn"));
    }

    @Test
    void aFallbackWithNothingToFallBackToReadsTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        String nothing = " no fallback to act on (no @Fallback.to alternative, no @Fallback.handler): name the "
                + "alternatives in @Fallback.to or a @Fallback.handler, or drop ";
        String optOut = " (an empty @Fallback.to alone opts the method out of a type-level @Fallback)";
        List<String> expected = List.of(
                "Narrowed.chat(String): @Fallback.on has" + nothing + "@Fallback.on" + optOut,
                "Narrowed.judged(String): @Fallback.skipOn and @Fallback.onResult have" + nothing
                        + "@Fallback.skipOn and @Fallback.onResult" + optOut);
        sameInEveryPath("Narrowed", """
                import dev.rebound.annotations.*;
                @Fallback(to = Narrowed.Backup.class)
                public interface Narrowed {
                    @Retry(attempts = 2, delay = 0) @Fallback(to = {}, on = java.io.IOException.class)
                    String chat(String p);
                    @Fallback(to = {}, skipOn = java.io.IOException.class, onResult = Blank.class)
                    String judged(String p);
                    @Fallback(to = {}, on = java.io.IOException.class, handler = Handler.class) String handled(String p);
                    @Fallback(to = {}) String optedOut(String p);
                    class Blank implements java.util.function.Predicate<Object> {
                        public boolean test(Object o) { return o == null; }
                    }
                    class Handler implements dev.rebound.runtime.FallbackHandler {
                        public Object handle(dev.rebound.runtime.FallbackContext call) { return null; }
                    }
                    class Backup implements Narrowed {
                        public String chat(String p) { return p; }
                        public String judged(String p) { return p; }
                        public String handled(String p) { return p; }
                        public String optedOut(String p) { return p; }
                    }
                }
                """, expected);
        // the builder's fallbackOn, given the same: the same rule, in its words up to its own advice
        Chat primary = p -> p;
        assertThatThrownBy(() -> Rebound.wrap(Chat.class, primary).fallbackOn(IOException.class).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems().get(0))
                        .startsWith("Rebound.wrap(Chat): fallbackOn has no fallback to act on (no withFallbacks "
                                + "alternative, no withFallbackHandler)"));
    }

    @Test
    void aClassListingItselfInItsOwnFallbackReadsTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        String source = """
                import dev.rebound.annotations.Fallback;
                public interface Chat {
                    String chat(String p);
                    class Self implements Chat {
                        @Fallback(to = Self.class) public String chat(String p) { return p; }
                    }
                    @Fallback(to = {Shared.class, Self.class})
                    class Shared implements Chat {
                        public String chat(String p) { return p; }
                    }
                }
                """;
        String expected = "Self.chat(String): @Fallback.to lists Chat$Self, the target itself";
        assertThat(reader("Chat", source, "Chat$Self")).containsExactly(expected);
        // a type-level list is shared: naming the class itself is no error (the runtime skips it)
        assertThat(processor("Chat", source)).containsExactly(expected);

        Chat target = p -> p;
        assertThat(builder(() -> Rebound.wrap(Chat.class, target).withFallbacks(target)))
                .isEqualTo("alternatives lists alternatives[0], the target itself");
    }

    @Test
    void aFallbackCycleThroughTypeLevelFallbacksReadsTheSameFromAnnotationAndProcessor() throws Exception {
        String source = """
                import dev.rebound.annotations.Fallback;
                public interface Ring {
                    String chat(String p);
                    @Fallback(to = Second.class)
                    class First implements Ring {
                        public String chat(String p) { return p; }
                    }
                    @Fallback(to = First.class)
                    class Second implements Ring {
                        public String chat(String p) { return p; }
                    }
                }
                """;
        String fromFirst = "First.chat(String): @Fallback.to forms a cycle First -> Second -> First";

        assertThat(reader("Ring", source, "Ring$First")).containsExactly(fromFirst);
        assertThat(processor("Ring", source)).containsExactlyInAnyOrder(fromFirst,
                "Second.chat(String): @Fallback.to forms a cycle Second -> First -> Second");
    }

    @Test
    void aFallbackCycleReadsTheSameFromAnnotationAndProcessor() throws Exception {
        String source = """
                import dev.rebound.annotations.Fallback;
                public interface Ring {
                    String chat(String p);
                    class First implements Ring {
                        @Fallback(to = Second.class) public String chat(String p) { return p; }
                    }
                    class Second implements Ring {
                        @Fallback(to = Third.class) public String chat(String p) { return p; }
                    }
                    class Third implements Ring {
                        @Fallback(to = First.class) public String chat(String p) { return p; }
                    }
                }
                """;
        String fromFirst = "First.chat(String): @Fallback.to forms a cycle First -> Second -> Third -> First";

        assertThat(reader("Ring", source, "Ring$First")).containsExactly(fromFirst);
        // javac sees every class of the ring, so it names each one's cycle
        assertThat(processor("Ring", source)).containsExactlyInAnyOrder(fromFirst,
                "Second.chat(String): @Fallback.to forms a cycle Second -> Third -> First -> Second",
                "Third.chat(String): @Fallback.to forms a cycle Third -> First -> Second -> Third");
    }

    @Test
    void theNonIdempotentRuleReadsTheSameFromAnnotationWrapAndProcessor() throws Exception {
        String source = """
                import dev.rebound.annotations.*;
                public interface Mailer {
                    @NonIdempotent String send(String mail);
                    class Smtp implements Mailer {
                        @Retry(attempts = 3) @Fallback(to = Backup.class)
                        public String send(String mail) { return mail; }
                    }
                    class Backup implements Mailer {
                        public String send(String mail) { return mail; }
                    }
                }
                """;
        // named by the method that carries the @Retry and the @Fallback, Smtp's (the builder's: the interface's)
        List<String> expected = List.of(
                "Smtp.send(String): @Retry(attempts = 3) on a @NonIdempotent method must list the failures "
                        + "that are safe to repeat it on, in @Retry.on",
                "Smtp.send(String): @Fallback on a @NonIdempotent method must list the failures that are safe "
                        + "to repeat it on, in @Fallback.on");
        assertThat(processor("Mailer", source)).containsExactlyElementsOf(expected);
        assertThat(reader("Mailer", source, "Mailer$Smtp")).containsExactlyElementsOf(expected);

        ClassLoader loader = new Javac(dir).load("Mailer", source);
        @SuppressWarnings("unchecked")
        Class<Object> mailer = (Class<Object>) loader.loadClass("Mailer");
        Object smtp = loader.loadClass("Mailer$Smtp").getConstructor().newInstance();
        Object backup = loader.loadClass("Mailer$Backup").getConstructor().newInstance();
        List<String> fromWrap = new ArrayList<>();
        assertThatThrownBy(() -> Rebound.wrap(mailer, smtp).withRetry(RetryPolicy.builder().attempts(3).build())
                .withFallbacks(backup).settings(quiet()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> fromWrap.addAll(e.problems()));
        assertThat(fromWrap).containsExactly(
                "Mailer.send(String): withRetry(attempts = 3) on a @NonIdempotent method must list the failures "
                        + "that are safe to repeat it on, in RetryPolicy.Builder.retryOn",
                "Mailer.send(String): withFallbacks on a @NonIdempotent method must list the failures that are "
                        + "safe to repeat it on, in fallbackOn");
        assertThat(fromWrap.stream().map(p -> p.replace("Mailer.send", "Smtp.send").replace("withRetry", "@Retry")
                .replace("RetryPolicy.Builder.retryOn", "@Retry.on").replace("withFallbacks", "@Fallback")
                .replace("fallbackOn", "@Fallback.on")).toList()).isEqualTo(expected);
    }

    @Test
    void aNonIdempotentMethodRepeatedOnAResultOrATimeoutReadsTheSameFromAnnotationWrapAndProcessor()
            throws Exception {
        String source = """
                import dev.rebound.annotations.*;
                public interface Mailer {
                    @NonIdempotent @Retry(attempts = 3, on = java.net.ConnectException.class, onResult = Blank.class)
                    String send(String mail);
                    @NonIdempotent @Retry(attempts = 3, on = java.net.ConnectException.class, attemptTimeout = 1000)
                    String sendSlowly(String mail);
                    @NonIdempotent @Fallback(to = Backup.class, on = java.net.ConnectException.class,
                            onResult = Blank.class)
                    String sendOnce(String mail);
                    @NonIdempotent String sendPlainly(String mail);
                    class Blank implements java.util.function.Predicate<Object> {
                        public boolean test(Object answer) { return answer == null; }
                    }
                    class Backup implements Mailer {
                        public String send(String mail) { return mail; }
                        public String sendSlowly(String mail) { return mail; }
                        public String sendOnce(String mail) { return mail; }
                        public String sendPlainly(String mail) { return mail; }
                    }
                }
                """;
        String returned = " on a @NonIdempotent method would repeat a call that returned, and so had its effect (where"
                + " a result shows that the call had no effect, throw a failure instead and list it in ";
        List<String> expected = List.of(
                "Mailer.send(String): @Retry.onResult" + returned + "@Retry.on)",
                "Mailer.sendSlowly(String): @Retry.attemptTimeout on a @NonIdempotent method would repeat a call that"
                        + " timed out, which may have had its effect: list dev.rebound.runtime.AttemptTimeoutException"
                        + " in @Retry.on if a timed-out call is safe to repeat, else in @Retry.abortOn",
                "Mailer.sendOnce(String): @Fallback.onResult" + returned + "@Fallback.on)");
        sameInEveryPath("Mailer", source, expected);

        // the builder's policies over the unannotated method, in the builder's names
        ClassLoader loader = new Javac(dir).load("Mailer", source);
        @SuppressWarnings("unchecked")
        Class<Object> mailer = (Class<Object>) loader.loadClass("Mailer");
        Object smtp = loader.loadClass("Mailer$Backup").getConstructor().newInstance();
        Object backup = loader.loadClass("Mailer$Backup").getConstructor().newInstance();
        List<String> fromWrap = new ArrayList<>();
        assertThatThrownBy(() -> Rebound.wrap(mailer, smtp)
                .withRetry(RetryPolicy.builder().attempts(3).retryOn(java.net.ConnectException.class)
                        .retryOnResult(answer -> answer == null).attemptTimeout(Duration.ofSeconds(1)).build())
                .withFallbacks(backup).fallbackOn(java.net.ConnectException.class)
                .fallbackOnResult(answer -> answer == null).settings(quiet()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> fromWrap.addAll(e.problems()));
        assertThat(fromWrap.stream().filter(p -> p.startsWith("Mailer.sendPlainly(String): "))
                .map(p -> p.replace("Mailer.sendPlainly(String): ", "")
                        .replace("RetryPolicy.Builder.retryOnResult", "@Retry.onResult")
                        .replace("RetryPolicy.Builder.attemptTimeout", "@Retry.attemptTimeout")
                        .replace("RetryPolicy.Builder.retryOn", "@Retry.on")
                        .replace("RetryPolicy.Builder.abortOn", "@Retry.abortOn")
                        .replace("fallbackOnResult", "@Fallback.onResult").replace("fallbackOn", "@Fallback.on"))
                .toList())
                .containsExactly(expected.get(0).substring(expected.get(0).indexOf("@")),
                        expected.get(1).substring(expected.get(1).indexOf("@")),
                        expected.get(2).substring(expected.get(2).indexOf("@")));
    }

    @Test
    void aTypeLevelPolicyOverANonIdempotentMethodReadsTheSameFromAnnotationAndProcessor() throws Exception {
        String blind = " on a @NonIdempotent method must list the failures that are safe to repeat it on, in ";
        sameInEveryPath("Mailer", """
                import dev.rebound.annotations.*;
                @Retry(attempts = 3)
                @Fallback(to = Mailer.Backup.class)
                public interface Mailer {
                    @NonIdempotent String send(String mail);
                    String status(String id);
                    @NonIdempotent @Retry(attempts = 3, on = java.net.ConnectException.class) @Fallback(to = {})
                    String sendSafely(String mail);
                    class Backup implements Mailer {
                        public String send(String mail) { return mail; }
                        public String status(String id) { return id; }
                        public String sendSafely(String mail) { return mail; }
                    }
                }
                """, List.of(
                        "Mailer.send(String): @Retry(attempts = 3)" + blind + "@Retry.on",
                        // the alternative inherits the method's @NonIdempotent and runs the interface's @Retry
                        "Backup.send(String): @Retry(attempts = 3)" + blind + "@Retry.on",
                        "Mailer.send(String): @Fallback" + blind + "@Fallback.on"));

        // a @NonIdempotent type whose @Retry reaches a method it inherits
        String inherited = """
                import dev.rebound.annotations.*;
                public interface Outbox {
                    interface Sends {
                        String send(String mail);
                    }
                    @NonIdempotent @Retry(attempts = 2, on = java.net.ConnectException.class, attemptTimeout = 500)
                    interface Queue extends Sends {
                    }
                }
                """;
        String expected = "Queue.send(String): @Retry.attemptTimeout on a @NonIdempotent method would repeat a call"
                + " that timed out, which may have had its effect: list dev.rebound.runtime.AttemptTimeoutException"
                + " in @Retry.on if a timed-out call is safe to repeat, else in @Retry.abortOn";
        assertThat(processor("Outbox", inherited)).containsExactly(expected);
        assertThat(wrapProblems(new Javac(dir).load("Outbox", inherited), "Outbox$Queue", quiet(), null))
                .containsExactly(expected);
    }

    @Test
    void rateLimitTokenAttributesReadTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        List<String> expected = List.of(
                "Chat.answer(String): @RateLimit.maxOutputTokens = 4000 needs @RateLimit.tokensPerMinute above 0",
                "Chat.negative(String): @RateLimit.maxOutputTokens = -2 is negative");
        sameInEveryPath("Chat", """
                import dev.rebound.annotations.RateLimit;
                public interface Chat {
                    @RateLimit(requestsPerMinute = 10, maxOutputTokens = 4000) String answer(String p);
                    @RateLimit(requestsPerMinute = 10, maxOutputTokens = -2) String negative(String p);
                    @RateLimit(requestsPerMinute = 10, maxOutputTokens = 256) String theDefault(String p);
                    @RateLimit(key = "tokens", requestsPerMinute = 10, tokensPerMinute = 1000, maxOutputTokens = 4000)
                    String limited(String p);
                }
                """, expected);

        assertThat(List.of(
                builder(() -> dev.rebound.runtime.RateLimitPolicy.builder().requestsPerMinute(10).maxOutputTokens(4000)
                        .build()),
                builder(() -> dev.rebound.runtime.RateLimitPolicy.builder().maxOutputTokens(-2))))
                .isEqualTo(expected.stream().map(p -> asBuilder(p, "@RateLimit.", "")).toList());
    }

    @Test
    void aRateLimitKeyDefinedTwiceReadsTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        String source = """
                import dev.rebound.annotations.RateLimit;
                public interface Chat {
                    @RateLimit(key = "openai", requestsPerMinute = 500) String first(String p);
                    interface Other {
                        @RateLimit(key = "openai", requestsPerMinute = 100) String second(String p);
                    }
                }
                """;
        String expected = "Other.second(String): @RateLimit.key names rate limit \"openai\" (requestsPerMinute 500,"
                + " tokensPerMinute 0) with requestsPerMinute 100, tokensPerMinute 0; every method naming a rate limit"
                + " key must give it the same limits";
        assertThat(processor("Chat", source)).containsExactly(expected);

        ClassLoader loader = new Javac(dir).load("Chat", source);
        ReboundSettings shared = quiet();
        assertThat(wrapped(loader, "Chat", null, shared, null)).isNotNull();
        assertThat(wrapProblems(loader, "Chat$Other", shared, null)).containsExactly(expected);

        @SuppressWarnings("unchecked")
        Class<Object> other = (Class<Object>) loader.loadClass("Chat$Other");
        Object impl = Proxy.newProxyInstance(loader, new Class<?>[] {other}, (p, m, args) -> null);
        List<String> fromBuilder = new ArrayList<>();
        assertThatThrownBy(() -> Rebound.wrap(other, impl).withRateLimit(dev.rebound.runtime.RateLimitPolicy.builder()
                .key("openai").requestsPerMinute(100).build()).settings(shared).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> fromBuilder.addAll(e.problems()));
        assertThat(fromBuilder).containsExactly("Rebound.wrap(Other): "
                + asBuilder(expected, "@RateLimit.key", "withRateLimit"));
    }

    @Test
    void deferredResultTypesReadTheSameFromAnnotationAndProcessor() throws Exception {
        sameInEveryPath("Async", """
                import dev.rebound.annotations.*;
                import java.util.concurrent.*;
                import java.util.stream.Stream;
                public interface Async {
                    @Retry(attempts = 3) CompletableFuture<String> future(String p);
                    @CircuitBreaker Stream<String> stream(String p);
                    @Fallback(to = Backup.class) CompletionStage<String> stage(String p);
                    @Retry(attempts = 3) Future<String> plain(String p);
                    @Fallback(to = {}, handler = Handler.class) Stream<String> handled(String p);
                    @Fallback(to = {}) Stream<String> optedOut(String p);
                    class Handler implements dev.rebound.runtime.FallbackHandler {
                        public Object handle(dev.rebound.runtime.FallbackContext call) { return null; }
                    }
                    class Backup implements Async {
                        public CompletableFuture<String> future(String p) { return null; }
                        public Stream<String> stream(String p) { return null; }
                        public CompletionStage<String> stage(String p) { return null; }
                        public Future<String> plain(String p) { return null; }
                        public Stream<String> handled(String p) { return null; }
                        public Stream<String> optedOut(String p) { return null; }
                    }
                }
                """, List.of(
                // CompletableFuture and CompletionStage results run their policies asynchronously
                "Async.stream(String): @CircuitBreaker cannot act on a method returning Stream: its failures "
                        + "arrive after the call has returned (apply the policy where the result is awaited)",
                "Async.plain(String): @Retry cannot act on a method returning Future: its failures "
                        + "arrive after the call has returned (apply the policy where the result is awaited)",
                // a handler as much as an alternative; an empty @Fallback.to alone opts the method out
                "Async.handled(String): @Fallback cannot act on a method returning Stream: its failures "
                        + "arrive after the call has returned (apply the policy where the result is awaited)"));
    }

    /**
     * What the asynchronous chain cannot apply, refused in the same words by the runtime (reflection,
     * and {@code Rebound.wrap}'s builder) and by javac with the processor: a rate limit or a fallback
     * handler on a CompletionStage or streaming method, a result predicate on a streaming method (one
     * on a future's value is fine).
     */
    @Test
    void theAsyncRefusalsReadTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        String source = """
                import dev.rebound.annotations.*;
                import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
                import java.util.concurrent.*;
                public interface Async {
                    @RateLimit(key = "openai", requestsPerMinute = 60) CompletableFuture<String> limited(String p);
                    @Fallback(to = {}, handler = Handler.class) CompletionStage<String> handled(String p);
                    @Retry(onResult = Blank.class) CompletableFuture<String> judgedFuture(String p);
                    @Retry(attempts = 2, onResult = Blank.class)
                    void judged(String p, StreamingChatResponseHandler h);
                    @Fallback(to = Backup.class, onResult = Blank.class)
                    void judgedByTheFallback(String p, StreamingChatResponseHandler h);
                    @RateLimit(key = "openai", requestsPerMinute = 60)
                    void limitedStream(String p, StreamingChatResponseHandler h);
                    class Blank implements java.util.function.Predicate<Object> {
                        public boolean test(Object o) { return o == null; }
                    }
                    class Handler implements dev.rebound.runtime.FallbackHandler {
                        public Object handle(dev.rebound.runtime.FallbackContext call) { return null; }
                    }
                    class Backup implements Async {
                        public CompletableFuture<String> limited(String p) { return null; }
                        public CompletionStage<String> handled(String p) { return null; }
                        public CompletableFuture<String> judgedFuture(String p) { return null; }
                        public void judged(String p, StreamingChatResponseHandler h) { }
                        public void judgedByTheFallback(String p, StreamingChatResponseHandler h) { }
                        public void limitedStream(String p, StreamingChatResponseHandler h) { }
                    }
                }
                """;
        String onAsync = " cannot act on a method returning a CompletionStage or streaming to a handler";
        String onStream = " cannot act on a streaming method: its answer reaches the caller's handler token by token"
                + " after the retry and fallbacks are done (judge the complete response where the stream ends)";
        List<String> expected = List.of(
                "Async.limited(String): @RateLimit" + onAsync + " yet: the rate limit waits for its permit by"
                        + " blocking (limit the synchronous method the call is made through)",
                "Async.handled(String): @Fallback.handler" + onAsync + ": a FallbackHandler answers synchronously"
                        + " (use @Fallback.to / withFallbacks alternatives, which run asynchronously, or recover on"
                        + " the returned stage)",
                "Async.judged(String, StreamingChatResponseHandler): @Retry.onResult" + onStream,
                "Async.judgedByTheFallback(String, StreamingChatResponseHandler): @Fallback.onResult" + onStream,
                "Async.limitedStream(String, StreamingChatResponseHandler): @RateLimit" + onAsync + " yet: the rate"
                        + " limit waits for its permit by blocking (limit the synchronous method the call is made"
                        + " through)");
        sameInEveryPath("Async", source, expected);

        // a type's annotation, on the type's asynchronous method (its synchronous one is fine)
        sameInEveryPath("Limited", """
                import dev.rebound.annotations.*;
                import java.util.concurrent.*;
                @RateLimit(key = "openai", requestsPerMinute = 60)
                public interface Limited {
                    CompletableFuture<String> ask(String p);
                    String answer(String p);
                }
                """, List.of("Limited.ask(String): @RateLimit" + onAsync + " yet: the rate limit waits for its"
                        + " permit by blocking (limit the synchronous method the call is made through)"));

        // the builder's words: the same rules, naming the builder's attributes
        ClassLoader loader = new Javac(dir).load("Async", source);
        @SuppressWarnings("unchecked")
        Class<Object> async = (Class<Object>) loader.loadClass("Async");
        Object impl = loader.loadClass("Async$Backup").getConstructor().newInstance();
        List<String> fromWrap = new ArrayList<>();
        assertThatThrownBy(() -> Rebound.wrap(async, impl)
                .withRateLimit(dev.rebound.runtime.RateLimitPolicy.builder().key("openai").requestsPerMinute(60).build())
                .withFallbackHandler(call -> null)
                .withRetry(RetryPolicy.builder().retryOnResult(r -> r == null).build())
                .settings(quiet()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> fromWrap.addAll(e.problems()));
        assertThat(fromWrap).contains(expected.get(0).replace("@RateLimit", "withRateLimit"),
                expected.get(1).replace("@Fallback.handler", "withFallbackHandler"),
                expected.get(2).replace("@Retry.onResult", "RetryPolicy.Builder.retryOnResult"));
    }

    /**
     * A streaming method whose handler parameter is the user's own subtype of langchain4j's handler: each
     * attempt hands the target a handler of Rebound's own, which is not one, so the method is refused, in the
     * same words by the processor, the annotation reader, the builder and Guice. A method returning a value
     * that takes one is not a streamed call: its retry is refused for what it is
     * ({@link #aRetryOrFallbackOnAMethodTakingAStreamingHandlerAndReturningAResultIsRefusedAlikeByTheProcessorAndEveryDoor}).
     */
    @Test
    void aStreamingHandlerParameterOfASubtypeIsRefusedAlikeByTheProcessorAndEveryDoor() throws Exception {
        String source = """
                import dev.rebound.annotations.*;
                import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
                public interface Sinks {
                    interface TokenSink extends StreamingChatResponseHandler { }
                    @Retry(attempts = 2) void stream(String p, TokenSink sink);
                    @Retry(attempts = 2) void plain(String p, StreamingChatResponseHandler h);
                    @Retry(attempts = 2) String answer(String p, TokenSink sink);
                    class Impl implements Sinks {
                        public void stream(String p, TokenSink sink) { }
                        public void plain(String p, StreamingChatResponseHandler h) { }
                        public String answer(String p, TokenSink sink) { return p; }
                    }
                }
                """;
        String refused = "the streaming handler parameter's type TokenSink is a subtype of StreamingChatResponseHandler;"
                + " a streamed call's policies hand the target a StreamingChatResponseHandler of their own for each"
                + " attempt, which is not a TokenSink: declare the parameter as StreamingChatResponseHandler";
        String answerRefused = "Sinks.answer(String, TokenSink): @Retry cannot act on a method that takes a"
                + " StreamingChatResponseHandler and returns String: it would run the method again after the handler"
                + " had the failed attempt's tokens (return void, so that Rebound streams it and the handler gets one"
                + " attempt's tokens, or take no handler)";
        sameInEveryPath("Sinks", source, List.of("Sinks.stream(String, TokenSink): " + refused, answerRefused));

        ClassLoader loader = new Javac(dir).load("Sinks", source);
        @SuppressWarnings("unchecked")
        Class<Object> sinks = (Class<Object>) loader.loadClass("Sinks");
        @SuppressWarnings("unchecked")
        Class<Object> impl = (Class<Object>) loader.loadClass("Sinks$Impl");
        assertThatThrownBy(() -> Rebound.wrap(sinks, impl.getConstructor().newInstance())
                .withRetry(RetryPolicy.builder().attempts(2).build()).settings(quiet()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("Sinks.stream(String, TokenSink): " + refused,
                                answerRefused.replace("@Retry", "withRetry")));
        assertThatThrownBy(() -> Guice.createInjector(new ReboundModule(quiet()), new AbstractModule() {
            @Override
            protected void configure() {
                bind(sinks).to(impl);
            }
        })).isInstanceOf(CreationException.class).hasMessageContaining("Sinks.stream(String, TokenSink): " + refused);
    }

    /**
     * A method that takes langchain4j's streaming handler but returns a result (a future, a value) is no
     * streamed call: a retry or a fallback's alternative would run it again after the handler had the failed
     * attempt's tokens. Refused in the same words by the processor, the annotation reader, the builder and
     * Guice; a single attempt with no alternative (a breaker alone) is fine, and so is the void method.
     */
    @Test
    void aRetryOrFallbackOnAMethodTakingAStreamingHandlerAndReturningAResultIsRefusedAlikeByTheProcessorAndEveryDoor()
            throws Exception {
        String source = """
                import dev.rebound.annotations.*;
                import dev.langchain4j.model.chat.response.ChatResponse;
                import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
                import java.util.concurrent.CompletableFuture;
                public interface Answers {
                    @Retry CompletableFuture<ChatResponse> answer(String p, StreamingChatResponseHandler h);
                    @Fallback(to = Backup.class) ChatResponse answerNow(String p, StreamingChatResponseHandler h);
                    @Retry(attempts = 1) @CircuitBreaker ChatResponse once(String p, StreamingChatResponseHandler h);
                    @Retry(attempts = 2) void stream(String p, StreamingChatResponseHandler h);
                    class Backup implements Answers {
                        public CompletableFuture<ChatResponse> answer(String p, StreamingChatResponseHandler h) { return null; }
                        public ChatResponse answerNow(String p, StreamingChatResponseHandler h) { return null; }
                        public ChatResponse once(String p, StreamingChatResponseHandler h) { return null; }
                        public void stream(String p, StreamingChatResponseHandler h) { }
                    }
                    class Impl extends Backup { }
                }
                """;
        String words = " cannot act on a method that takes a StreamingChatResponseHandler and returns %s: it would run"
                + " the method again after the handler had the failed attempt's tokens (return void, so that Rebound"
                + " streams it and the handler gets one attempt's tokens, or take no handler)";
        String answer = "Answers.answer(String, StreamingChatResponseHandler): @Retry"
                + String.format(words, "CompletableFuture");
        String answerNow = "Answers.answerNow(String, StreamingChatResponseHandler): @Fallback"
                + String.format(words, "ChatResponse");
        sameInEveryPath("Answers", source, List.of(answer, answerNow));

        ClassLoader loader = new Javac(dir).load("Answers", source);
        @SuppressWarnings("unchecked")
        Class<Object> answers = (Class<Object>) loader.loadClass("Answers");
        @SuppressWarnings("unchecked")
        Class<Object> bound = (Class<Object>) loader.loadClass("Answers$Impl");
        assertThatThrownBy(() -> Guice.createInjector(new ReboundModule(quiet()), new AbstractModule() {
            @Override
            protected void configure() {
                bind(answers).to(bound);
            }
        })).isInstanceOf(CreationException.class).hasMessageContaining(answer).hasMessageContaining(answerNow);
        Class<?> unannotated = new Javac(dir).loadFrom("unannotated", "Unannotated", """
                import dev.langchain4j.model.chat.response.ChatResponse;
                import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
                public interface Unannotated {
                    ChatResponse answerNow(String p, StreamingChatResponseHandler h);
                }
                """, false).loadClass("Unannotated");
        @SuppressWarnings("unchecked")
        Class<Object> u = (Class<Object>) unannotated;
        Object impl = java.lang.reflect.Proxy.newProxyInstance(u.getClassLoader(), new Class<?>[] {u}, (p, m, a) -> null);
        String unannotatedWords = "Unannotated.answerNow(String, StreamingChatResponseHandler): %s"
                + String.format(words, "ChatResponse");
        assertThatThrownBy(() -> Rebound.wrap(u, impl).withRetry(RetryPolicy.builder().attempts(2).build())
                .withFallbacks(java.lang.reflect.Proxy.newProxyInstance(u.getClassLoader(), new Class<?>[] {u},
                        (p, m, a) -> null)).settings(quiet()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly(String.format(unannotatedWords, "withRetry"),
                                String.format(unannotatedWords, "withFallbacks")));
    }

    /**
     * A class's method whose interfaces carry no policy belongs to the first interface of the class through
     * which it is callable, breadth first: {@code Impl implements Chat}, {@code Chat extends Base}, only
     * {@code Base} declaring the methods, belongs to {@code Chat} (not to {@code Base}, which declares them)
     * by the processor as through Guice, and through {@code Rebound.wrap} whichever interface it was given:
     * its alternatives must implement {@code Chat} (its events name it {@code Chat.ask(String)}; its problems, the
     * method that carries the annotation, {@code Impl.ask(String)}).
     */
    @Test
    void aClassMethodBelongsToTheFirstInterfaceItIsCallableThroughAlikeForTheProcessorGuiceAndWrap() throws Exception {
        String source = """
                import dev.rebound.annotations.*;
                public class Shapes {
                    public interface Base {
                        String chat(String prompt);
                        String ask(String prompt);
                    }

                    public interface Chat extends Base {
                    }

                    public static class Backup implements Base {
                        public String chat(String prompt) { return "backup"; }
                        public String ask(String prompt) { return "backup"; }
                    }

                    public static class Impl implements Chat {
                        @Retry(attempts = 2, delay = 0)
                        @Fallback(to = Backup.class)
                        public String chat(String prompt) { return prompt; }

                        @Retry(attempts = 0)
                        public String ask(String prompt) { return prompt; }
                    }
                }
                """;
        // named by the methods that carry the annotations; the alternatives must implement Chat
        List<String> expected = List.of("Impl.ask(String): @Retry.attempts = 0 is outside 1..100",
                "Impl.chat(String): @Fallback.to Shapes$Backup does not implement Shapes$Chat");
        ClassLoader loader = new Javac(dir).load("Shapes", source);
        @SuppressWarnings("unchecked")
        Class<Object> chat = (Class<Object>) loader.loadClass("Shapes$Chat");
        @SuppressWarnings("unchecked")
        Class<Object> base = (Class<Object>) loader.loadClass("Shapes$Base");
        @SuppressWarnings("unchecked")
        Class<Object> impl = (Class<Object>) loader.loadClass("Shapes$Impl");

        List<String> guice = new ArrayList<>();
        assertThatThrownBy(() -> Guice.createInjector(new ReboundModule(quiet()), new AbstractModule() {
            @Override
            protected void configure() {
                bind(chat).to(impl);
            }
        })).isInstanceOfSatisfying(CreationException.class,
                e -> e.getErrorMessages().forEach(m -> guice.add(m.getMessage())));
        assertThat(String.join("\n", guice)).contains(expected);
        for (Class<Object> wrapped : List.of(chat, base)) {
            assertThatThrownBy(() -> Rebound.wrap(wrapped, impl.getConstructor().newInstance()).settings(quiet()).build())
                    .as("Rebound.wrap(%s)", wrapped.getSimpleName())
                    .isInstanceOfSatisfying(ReboundConfigurationException.class,
                            e -> assertThat(e.problems()).containsExactlyInAnyOrderElementsOf(expected));
        }
        assertThat(processor("Shapes", source)).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * A result predicate that can never judge the method's result (ChatResults.Truncated reads the finish
     * reason of a ChatResponse or an AiServices Result; a String has none, and ChatResults.Blank reads no
     * Integer) reads the same from the annotation reader and
     * javac, on a method's annotation and on a type's; the builder names it in the same words. On a method
     * returning a future, the value it completes with is judged (unknown for a future of ?, not checked).
     */
    @Test
    void aResultPredicateThatCanNeverJudgeTheResultReadsTheSameFromAnnotationBuilderAndProcessor() throws Exception {
        String source = """
                import dev.rebound.annotations.*;
                import dev.rebound.runtime.langchain4j.ChatResults;
                import dev.langchain4j.data.message.AiMessage;
                import dev.langchain4j.model.chat.response.ChatResponse;
                import dev.langchain4j.service.Result;
                import java.util.concurrent.CompletableFuture;
                import java.util.concurrent.CompletionStage;
                public interface Judged {
                    @Fallback(to = Backup.class, onResult = ChatResults.Truncated.class) String text(String p);
                    @Retry(onResult = ChatResults.ContentFiltered.class) ChatResponse response(String p);
                    @Retry(onResult = ChatResults.Blank.class) String blank(String p);
                    @Retry(onResult = ChatResults.Blank.class) Integer blankCount(String p);
                    @Retry(onResult = ChatResults.Truncated.class) AiMessage message(String p);
                    @Retry(onResult = ChatResults.Truncated.class) Result<String> assisted(String p);
                    @Retry(onResult = Short.class) CharSequence chars(String p);
                    @Retry(onResult = Short.class) int count(String p);
                    @Retry(onResult = Short.class) CompletableFuture<Integer> later(String p);
                    @Retry(onResult = ChatResults.Truncated.class) CompletableFuture<String> textLater(String p);
                    @Retry(onResult = ChatResults.Truncated.class) CompletionStage<ChatResponse> responseLater(String p);
                    @Retry(onResult = Short.class) CompletableFuture<?> anything(String p);
                    class Short extends Shorter<String> {
                    }
                    abstract class Shorter<T extends CharSequence> implements java.util.function.Predicate<T> {
                        public boolean test(T t) { return t.length() < 2; }
                    }
                    interface Text {
                        String text(String p);
                    }
                    interface Later {
                        CompletableFuture<String> textLater(String p);
                    }
                    class Backup implements Judged, Text, Later {
                        public String text(String p) { return p; }
                        public ChatResponse response(String p) { return null; }
                        public String blank(String p) { return p; }
                        public Integer blankCount(String p) { return 0; }
                        public AiMessage message(String p) { return null; }
                        public Result<String> assisted(String p) { return null; }
                        public CharSequence chars(String p) { return p; }
                        public int count(String p) { return 0; }
                        public CompletableFuture<Integer> later(String p) { return null; }
                        public CompletableFuture<String> textLater(String p) { return null; }
                        public CompletionStage<ChatResponse> responseLater(String p) { return null; }
                        public CompletableFuture<?> anything(String p) { return null; }
                    }
                }
                """;
        String truncated = "@Fallback.onResult dev.rebound.runtime.langchain4j.ChatResults$Truncated judges a"
                + " dev.langchain4j.model.chat.response.ChatResponse or a dev.langchain4j.service.Result, which a"
                + " method returning java.lang.String never returns: it would never reject a result (declare the"
                + " method to return dev.langchain4j.model.chat.response.ChatResponse, as ChatModel.chat(ChatRequest)"
                + " does, or dev.langchain4j.service.Result, as an AiServices method can, since a String has no"
                + " finish reason, or name a predicate of java.lang.String)";
        String future = "java.util.concurrent.CompletableFuture";
        String truncatedLater = "@Retry.onResult dev.rebound.runtime.langchain4j.ChatResults$Truncated judges a"
                + " dev.langchain4j.model.chat.response.ChatResponse or a dev.langchain4j.service.Result, which a"
                + " method returning " + future
                + "<java.lang.String> never completes with: it would never reject a result (declare the method to"
                + " return " + future + "<dev.langchain4j.model.chat.response.ChatResponse>, since a String has no"
                + " finish reason, or name a predicate of java.lang.String)";
        sameInEveryPath("Judged", source, List.of("Judged.text(String): " + truncated,
                "Judged.count(String): @Retry.onResult Judged$Short judges a java.lang.String, which a method returning"
                        + " java.lang.Integer never returns: it would never reject a result (declare the method to"
                        + " return java.lang.String, or name a predicate of java.lang.Integer)",
                "Judged.later(String): @Retry.onResult Judged$Short judges a java.lang.String, which a method returning "
                        + future + "<java.lang.Integer> never completes with: it would never reject a result (declare"
                        + " the method to return " + future + "<java.lang.String>, or name a predicate of"
                        + " java.lang.Integer)",
                "Judged.textLater(String): " + truncatedLater,
                // Blank reads four types, none of them an Integer; Truncated's words fit the AiMessage declared
                "Judged.blankCount(String): @Retry.onResult dev.rebound.runtime.langchain4j.ChatResults$Blank judges a"
                        + " dev.langchain4j.model.chat.response.ChatResponse, a dev.langchain4j.data.message.AiMessage, a"
                        + " java.lang.String or a dev.langchain4j.service.Result, which a method returning"
                        + " java.lang.Integer never returns: it would never reject a result (declare the method to"
                        + " return one of them, or name a predicate of java.lang.Integer)",
                "Judged.message(String): @Retry.onResult dev.rebound.runtime.langchain4j.ChatResults$Truncated judges a"
                        + " dev.langchain4j.model.chat.response.ChatResponse or a dev.langchain4j.service.Result, which a"
                        + " method returning dev.langchain4j.data.message.AiMessage never returns: it would never"
                        + " reject a result (declare the method to return"
                        + " dev.langchain4j.model.chat.response.ChatResponse, as ChatModel.chat(ChatRequest) does, or"
                        + " dev.langchain4j.service.Result, as an AiServices method can, since an AiMessage has no"
                        + " finish reason, or name a predicate of dev.langchain4j.data.message.AiMessage)"));

        // a type's annotation, on each method whose result it cannot judge
        sameInEveryPath("Typed", """
                import dev.rebound.annotations.*;
                import dev.rebound.runtime.langchain4j.ChatResults;
                import dev.langchain4j.model.chat.response.ChatResponse;
                @Fallback(to = Typed.Backup.class, onResult = ChatResults.Truncated.class)
                public interface Typed {
                    String text(String p);
                    ChatResponse response(String p);
                    class Backup implements Typed {
                        public String text(String p) { return p; }
                        public ChatResponse response(String p) { return null; }
                    }
                }
                """, List.of("Typed.text(String): " + truncated));

        // the builder's predicate covers the interface: one that judges none of its methods is refused
        ClassLoader loader = new Javac(dir).load("Judged", source);
        @SuppressWarnings("unchecked")
        Class<Object> text = (Class<Object>) loader.loadClass("Judged$Text");
        Object impl = loader.loadClass("Judged$Backup").getConstructor().newInstance();
        Object backup = loader.loadClass("Judged$Backup").getConstructor().newInstance();
        List<String> fromWrap = new ArrayList<>();
        assertThatThrownBy(() -> Rebound.wrap(text, impl).withFallbacks(backup)
                .fallbackOnResult(dev.rebound.runtime.langchain4j.ChatResults.truncated())
                .withRetry(RetryPolicy.builder().retryOnResult((java.util.function.Predicate<?>) loader
                        .loadClass("Judged$Short").getConstructor().newInstance()).build())
                .settings(quiet()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> fromWrap.addAll(e.problems()));
        assertThat(fromWrap).containsExactly(
                "Text.text(String): " + truncated.replace("@Fallback.onResult", "fallbackOnResult"));

        // and over a future's value
        @SuppressWarnings("unchecked")
        Class<Object> later = (Class<Object>) loader.loadClass("Judged$Later");
        assertThatThrownBy(() -> Rebound.wrap(later, impl).withRetry(RetryPolicy.builder()
                .retryOnResult(dev.rebound.runtime.langchain4j.ChatResults.truncated()).build())
                .settings(quiet()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("Later.textLater(String): "
                                + truncatedLater.replace("@Retry.onResult", "RetryPolicy.Builder.retryOnResult")));
    }

    /** Issue 12: the processor ran runtime classes that start SLF4J, which warned in every user's build. */
    @Test
    void theProcessorRunsInJavacWithoutStartingALoggingFramework() throws Exception {
        Path source = new Javac(dir).write("Chat", """
                public interface Chat {
                    @dev.rebound.annotations.Retry(attempts = 0)
                    @dev.rebound.annotations.CircuitBreaker(failureRatio = 2)
                    @dev.rebound.annotations.Fallback(to = String.class)
                    String chat(String prompt);
                }
                """);
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "--release", "17", "-classpath", Javac.CLASSPATH, "-d", dir.resolve("out").toString(),
                source.toString()).redirectErrorStream(true).start();
        String output = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(javac.waitFor()).isEqualTo(1);
        assertThat(output).contains("Chat.chat(String): @Retry.attempts = 0 is outside 1..100")
                .contains("Chat.chat(String): @CircuitBreaker.failureRatio = 2.0 must be more than 0 and at most 1")
                .doesNotContain("SLF4J");
    }

    /**
     * Another library's retry annotation beside {@code @Retry}: matched by name, so neither the processor
     * nor the runtime needs the library (resilience4j's is a stand-in of that name, compiled here); a
     * compile-time warning and, when a door resolves the policy, one WARN per method, in the same words.
     */
    @Test
    void anotherLibrarysRetryBesideRetryIsWarnedInTheSameWordsByTheProcessorAndTheRuntime() throws Exception {
        Javac javac = new Javac(dir);
        javac.loadFrom("r4j", "Retry", """
                package io.github.resilience4j.retry.annotation;
                @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
                public @interface Retry {
                    String name();
                }
                """, false);
        String source = """
                import dev.rebound.annotations.Retry;
                import org.springframework.retry.annotation.Retryable;
                public class Pinger {
                    @Retry(attempts = 3) @Retryable
                    public String ping(String host) { return "pong"; }
                    @Retry(attempts = 2) @io.github.resilience4j.retry.annotation.Retry(name = "pong")
                    public String pong(String host) { return "ping"; }
                    @Retry(attempts = 1) @Retryable
                    public String once(String host) { return "once"; }
                }
                """;
        List<String> expected = List.of(
                "Nested retries: Pinger.ping(String) has @Retry (3 attempts) and"
                        + " @org.springframework.retry.annotation.Retryable, which retries it too, so one call of"
                        + " Pinger.ping(String) can make up to 3 times that annotation's attempts. Retry at one level"
                        + " only: drop one of the two annotations, or narrow @Retry.on.",
                "Nested retries: Pinger.pong(String) has @Retry (2 attempts) and"
                        + " @io.github.resilience4j.retry.annotation.Retry, which retries it too, so one call of"
                        + " Pinger.pong(String) can make up to 2 times that annotation's attempts. Retry at one level"
                        + " only: drop one of the two annotations, or narrow @Retry.on.");

        List<String> compiled = javac.compileAgainst("pinger", "Pinger", source,
                Path.of(Javac.location(org.springframework.retry.annotation.Retryable.class)), dir.resolve("r4j"));
        ClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {dir.resolve("pinger").toUri().toURL(),
                dir.resolve("r4j").toUri().toURL()}, OneRuleSetTest.class.getClassLoader());
        Class<?> pinger = loader.loadClass("Pinger");
        String log = StdErr.during(() -> dev.rebound.runtime.spi.Policies.resolveAll(pinger));

        assertThat(compiled).as("the processor's warnings").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(log.lines().filter(l -> l.contains("Nested retries")).map(l -> l.substring(l.indexOf("Nested")))
                .toList()).as("the runtime's WARNs").containsExactlyInAnyOrderElementsOf(expected);
    }
}
