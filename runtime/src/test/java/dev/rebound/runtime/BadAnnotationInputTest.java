package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.NonIdempotent;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.internal.ResilientProxy;
import dev.rebound.runtime.spi.MethodDiagnostics;
import dev.rebound.runtime.spi.ResilientMethod;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Bad input, annotations: every invalid value is reported when the policy is built, naming the
 * method and the attribute; nothing reaches a call. One test per row of the README's table.
 */
class BadAnnotationInputTest {

    private static List<String> problemsOf(ThrowingCallable build) {
        Throwable[] caught = new Throwable[1];
        assertThatThrownBy(build).isInstanceOfSatisfying(ReboundConfigurationException.class, e -> caught[0] = e);
        return ((ReboundConfigurationException) caught[0]).problems();
    }

    private static <T> T wrap(Class<T> type, T target) {
        return Rebound.wrap(type, target).settings(ReboundSettings.builder().logging(false).build()).build();
    }

    // ---- @Retry values

    interface Attempts {
        @Retry(attempts = 0)
        String zero();

        @Retry(attempts = 101)
        String tooMany();

        @Retry(attempts = -1)
        String negative();
    }

    @Test
    void retryAttemptsOutside1To100AreRejected() {
        assertThat(problemsOf(() -> wrap(Attempts.class, new Attempts() {
            public String zero() {
                return "";
            }

            public String tooMany() {
                return "";
            }

            public String negative() {
                return "";
            }
        }))).containsExactlyInAnyOrder(
                "Attempts.zero(): @Retry.attempts = 0 is outside 1..100",
                "Attempts.tooMany(): @Retry.attempts = 101 is outside 1..100",
                "Attempts.negative(): @Retry.attempts = -1 is outside 1..100");
    }

    interface Delays {
        @Retry(delay = -1)
        String negativeDelay();

        @Retry(delay = 500, maxDelay = 10)
        String maxBelowDelay();

        @Retry(maxDuration = -1)
        String negativeDeadline();
    }

    @Test
    void negativeDelaysAndAMaxDelayBelowTheDelayAreRejected() {
        assertThat(problemsOf(() -> wrap(Delays.class, new Delays() {
            public String negativeDelay() {
                return "";
            }

            public String maxBelowDelay() {
                return "";
            }

            public String negativeDeadline() {
                return "";
            }
        }))).containsExactlyInAnyOrder(
                "Delays.negativeDelay(): @Retry.delay = -1 ms is negative",
                "Delays.maxBelowDelay(): @Retry.maxDelay = 10 ms is below @Retry.delay = 500 ms",
                "Delays.negativeDeadline(): @Retry.maxDuration = -1 ms is negative");
    }

    interface Waits {
        @Retry(delay = 1000, maxDelay = 500)
        String waits(String p);

        @CircuitBreaker(delay = 9000, unit = TimeUnit.HOURS)
        String opens(String p);

        @Retry(delay = -60, unit = TimeUnit.SECONDS)
        String negative(String p);
    }

    /** A Duration keeps no unit, so both show a time in its largest exact unit (TimeAmount). */
    @Test
    void aTimeValueReadsTheSameFromTheAnnotationAndTheBuilderInItsLargestExactUnit() {
        assertThat(problemsOf(() -> wrap(Waits.class, new Waits() {
            public String waits(String p) {
                return p;
            }

            public String opens(String p) {
                return p;
            }

            public String negative(String p) {
                return p;
            }
        }))).containsExactlyInAnyOrder(
                "Waits.waits(String): @Retry.maxDelay = 500 ms is below @Retry.delay = 1 s",
                "Waits.opens(String): @CircuitBreaker.delay = 375 d is above 365 d",
                "Waits.negative(String): @Retry.delay = -1 min is negative");

        assertThatThrownBy(() -> RetryPolicy.builder().delay(Duration.ofMillis(1000)).maxDelay(Duration.ofMillis(500))
                .build()).hasMessage("maxDelay = 500 ms is below delay = 1 s");
        assertThatThrownBy(() -> CircuitBreakerPolicy.builder().delay(Duration.ofHours(9000)))
                .hasMessage("delay = 375 d is above 365 d");
        assertThatThrownBy(() -> RetryPolicy.builder().delay(Duration.ofSeconds(-60)))
                .hasMessage("delay = -1 min is negative");
    }

    interface Multipliers {
        @Retry(multiplier = 0.5)
        String shrinking();

        @Retry(multiplier = Double.NaN)
        String nan();

        @Retry(multiplier = Double.POSITIVE_INFINITY)
        String infinite();
    }

    @Test
    void aMultiplierBelowOneNanOrInfiniteIsRejected() {
        assertThat(problemsOf(() -> wrap(Multipliers.class, new Multipliers() {
            public String shrinking() {
                return "";
            }

            public String nan() {
                return "";
            }

            public String infinite() {
                return "";
            }
        }))).containsExactlyInAnyOrder(
                "Multipliers.shrinking(): @Retry.multiplier = 0.5 must be a finite number >= 1.0",
                "Multipliers.nan(): @Retry.multiplier = NaN must be a finite number >= 1.0",
                "Multipliers.infinite(): @Retry.multiplier = Infinity must be a finite number >= 1.0");
    }

    interface Huge {
        @Retry(attempts = 100, delay = Long.MAX_VALUE / 2, maxDelay = Long.MAX_VALUE, unit = TimeUnit.DAYS,
                maxDuration = Long.MAX_VALUE, jitter = false)
        String chat() throws IOException;

        @Retry(attempts = 2, delay = 0, maxDuration = Long.MAX_VALUE, unit = TimeUnit.DAYS)
        String flaky() throws IOException;
    }

    @Test
    void hugeDurationsInCoarseUnitsSaturateInsteadOfOverflowing() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Huge impl = new Huge() {
            public String chat() {
                return "ok";
            }

            public String flaky() throws IOException {
                if (calls.incrementAndGet() == 1) {
                    throw new IOException();
                }
                return "second";
            }
        };
        Huge wrapped = wrap(Huge.class, impl);
        MethodDiagnostics engine = ResilientProxy.policyOf(wrapped, Huge.class.getMethod("chat")).diagnostics();

        assertThat(engine.primaryRetry().delay()).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(engine.primaryRetry().maxDuration()).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(engine.primaryRetry().waitNanos(99, null)).isEqualTo(Long.MAX_VALUE);
        assertThat(wrapped.chat()).isEqualTo("ok");
        assertThat(wrapped.flaky()).isEqualTo("second"); // a 292-year deadline is no deadline, not one passed
        assertThat(calls.get()).isEqualTo(2);
    }

    interface Lists {
        @Retry(on = {IOException.class, StackOverflowError.class})
        String retriesAnError();

        @Retry(on = InterruptedException.class)
        String retriesAnInterrupt();

        @Retry(on = IOException.class, abortOn = IOException.class)
        String retriesAndAbortsTheSame();
    }

    @Test
    void retryOnListingAnErrorAnInterruptOrAnAbortOnTypeIsRejected() {
        assertThat(problemsOf(() -> wrap(Lists.class, new Lists() {
            public String retriesAnError() {
                return "";
            }

            public String retriesAnInterrupt() {
                return "";
            }

            public String retriesAndAbortsTheSame() {
                return "";
            }
        }))).containsExactlyInAnyOrder(
                "Lists.retriesAnError(): @Retry.on lists java.lang.StackOverflowError, an Error: Errors are never "
                        + "retried",
                "Lists.retriesAnInterrupt(): @Retry.on lists java.lang.InterruptedException: an interrupted call is"
                        + " never retried",
                "Lists.retriesAndAbortsTheSame(): @Retry.on and @Retry.abortOn both list java.io.IOException");
    }

    // ---- @Fallback values

    public interface Chat {
        String chat(String prompt) throws IOException;
    }

    static final class ChatImpl implements Chat {
        @Override
        public String chat(String prompt) {
            return "primary: " + prompt;
        }
    }

    public static final class Backup implements Twice, FallbackLists, OptOut {
        @Override
        public String chat(String prompt) {
            return "backup: " + prompt;
        }

        @Override
        public String other(String prompt) {
            return "backup: " + prompt;
        }
    }

    public static final class NotAChat {
    }

    interface WrongType extends Chat {
        @Override
        @Retry
        @Fallback(to = NotAChat.class)
        String chat(String prompt);
    }

    @Test
    void aFallbackClassThatDoesNotImplementTheInterfaceIsRejected() {
        assertThat(problemsOf(() -> wrap(WrongType.class, p -> p))).containsExactly(
                "WrongType.chat(String): @Fallback.to " + NotAChat.class.getName() + " does not implement "
                        + WrongType.class.getName());
    }

    public abstract static class AbstractChat implements Unmakeable {
    }

    public static final class NeedsAKey implements Unmakeable {
        public NeedsAKey(String apiKey) {
        }

        @Override
        public String chat(String prompt) {
            return "";
        }
    }

    public static final class PrivateConstructor implements Unmakeable {
        private PrivateConstructor() {
        }

        @Override
        public String chat(String prompt) {
            return "";
        }
    }

    /** Not static: needs an enclosing instance. */
    public final class Inner implements Unmakeable {
        @Override
        public String chat(String prompt) {
            return "";
        }
    }

    public static final class ThrowingConstructor implements Unmakeable {
        public ThrowingConstructor() {
            throw new IllegalStateException("sk-secret-in-constructor");
        }

        @Override
        public String chat(String prompt) {
            return "";
        }
    }

    interface Unmakeable extends Chat {
        @Override
        @Retry
        @Fallback(to = {AbstractChat.class, NeedsAKey.class, PrivateConstructor.class, Inner.class,
                ThrowingConstructor.class, Unmakeable.class})
        String chat(String prompt);
    }

    @Test
    void fallbackClassesThatCannotBeMadeAreRejectedEachWithItsReason() {
        List<String> problems = problemsOf(() -> wrap(Unmakeable.class, p -> p));

        assertThat(problems).hasSize(6);
        assertThat(problems).allMatch(p -> p.startsWith("Unmakeable.chat(String): @Fallback.to "));
        assertThat(problems.get(0)).endsWith("AbstractChat is abstract");
        assertThat(problems.get(1)).endsWith("NeedsAKey has no public no-argument constructor");
        assertThat(problems.get(2)).endsWith("PrivateConstructor has no public no-argument constructor");
        assertThat(problems.get(3)).endsWith("Inner is an inner (non-static) class");
        assertThat(problems.get(4)).endsWith("constructor of " + ThrowingConstructor.class.getName()
                + " threw java.lang.IllegalStateException").doesNotContain("sk-secret");
        assertThat(problems.get(5)).endsWith("Unmakeable is an interface");
    }

    public static final class ThrowingBackup implements MadeByAThrowingConstructor {
        public ThrowingBackup() {
            throw new IllegalStateException("sk-secret-in-constructor");
        }

        @Override
        public String toAlternative(String p) {
            return p;
        }

        @Override
        public String toHandler(String p) {
            return p;
        }

        @Override
        public String toPredicate(String p) {
            return p;
        }

        @Override
        public String toInterface(String p) {
            return p;
        }
    }

    public static final class ThrowingHandler implements FallbackHandler {
        public ThrowingHandler() {
            throw new IllegalStateException("sk-secret-in-constructor");
        }

        @Override
        public Object handle(FallbackContext call) {
            return "";
        }
    }

    public static final class ThrowingPredicate implements Predicate<Object> {
        public ThrowingPredicate() {
            throw new IllegalStateException("sk-secret-in-constructor");
        }

        @Override
        public boolean test(Object result) {
            return false;
        }
    }

    public interface MadeByAThrowingConstructor {
        @Retry
        @Fallback(to = ThrowingBackup.class)
        String toAlternative(String p);

        @Retry
        @Fallback(to = {}, handler = ThrowingHandler.class)
        String toHandler(String p);

        @Retry(onResult = ThrowingPredicate.class)
        String toPredicate(String p);

        @Retry
        @Fallback(to = {}, handler = FallbackHandler.class)
        String toInterface(String p);
    }

    /** NamedClassRules: one wording for a class that cannot be made, whichever attribute names it. */
    @Test
    void aNamedClassThatCannotBeMadeIsRefusedInOneWordingWhateverAttributeNamesIt() {
        String backup = ThrowingBackup.class.getName();
        String handler = ThrowingHandler.class.getName();
        String predicate = ThrowingPredicate.class.getName();
        assertThat(problemsOf(() -> wrap(MadeByAThrowingConstructor.class, new MadeByAThrowingConstructor() {
            public String toAlternative(String p) {
                return p;
            }

            public String toHandler(String p) {
                return p;
            }

            public String toPredicate(String p) {
                return p;
            }

            public String toInterface(String p) {
                return p;
            }
        }))).containsExactlyInAnyOrder(
                "MadeByAThrowingConstructor.toAlternative(String): @Fallback.to " + backup + " cannot be provided: "
                        + "constructor of " + backup + " threw java.lang.IllegalStateException",
                "MadeByAThrowingConstructor.toHandler(String): @Fallback.handler " + handler + " cannot be provided: "
                        + "constructor of " + handler + " threw java.lang.IllegalStateException",
                "MadeByAThrowingConstructor.toPredicate(String): @Retry.onResult " + predicate + " cannot be "
                        + "provided: constructor of " + predicate + " threw java.lang.IllegalStateException",
                // an alternative that is an interface: "@Fallback.to app.Unmakeable cannot be provided: app.Unmakeable is an interface"
                "MadeByAThrowingConstructor.toInterface(String): @Fallback.handler dev.rebound.runtime.FallbackHandler"
                        + " is an interface");
    }

    /** A deployment of {@link Deployed} (defined again, in a loader of its own) that leaves out its {@code Gone*} classes. */
    static final class WithoutGoneClasses extends ClassLoader {
        WithoutGoneClasses() {
            super(BadAnnotationInputTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(Deployed.class.getName())) {
                return super.loadClass(name, resolve);
            }
            if (name.contains("$Gone")) {
                throw new ClassNotFoundException(name);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try (java.io.InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        byte[] b = in.readAllBytes();
                        c = defineClass(name, b, 0, b.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return c;
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aClassAnAttributeNamesThatIsMissingAtRunTimeIsAConfigurationErrorNamingTheMethodAndAttribute() throws Exception {
        ClassLoader deployment = new WithoutGoneClasses();
        Class<Object> deployed = (Class<Object>) deployment.loadClass(Deployed.class.getName());
        Object target = deployment.loadClass(Deployed.Backup.class.getName()).getConstructor().newInstance();
        String gone = Deployed.class.getName() + "$Gone";
        String fix = " is missing at run time: the annotated class was compiled with it, but its class loader cannot "
                + "load it (deploy it beside the annotated class, or remove it from ";

        assertThat(problemsOf(() -> wrap(deployed, target))).containsExactlyInAnyOrder(
                "Deployed.retryOn(String): @Retry.on " + gone + fix + "@Retry.on)",
                "Deployed.retryAbortOn(String): @Retry.abortOn " + gone + fix + "@Retry.abortOn)",
                "Deployed.retryOnResult(String): @Retry.onResult " + gone + "Predicate" + fix + "@Retry.onResult)",
                "Deployed.fallbackTo(String): @Fallback.to " + gone + "Backup" + fix + "@Fallback.to)",
                "Deployed.fallbackOn(String): @Fallback.on " + gone + fix + "@Fallback.on)",
                "Deployed.fallbackSkipOn(String): @Fallback.skipOn " + gone + fix + "@Fallback.skipOn)",
                "Deployed.fallbackOnResult(String): @Fallback.onResult " + gone + "Predicate" + fix
                        + "@Fallback.onResult)",
                "Deployed.fallbackHandler(String): @Fallback.handler " + gone + "Handler" + fix + "@Fallback.handler)",
                "Deployed.breakerOn(String): @CircuitBreaker.on " + gone + fix + "@CircuitBreaker.on)",
                "Deployed.breakerSkipOn(String): @CircuitBreaker.skipOn " + gone + fix + "@CircuitBreaker.skipOn)");
    }

    interface Twice extends Chat {
        @Override
        @Retry
        @Fallback(to = {Backup.class, Backup.class})
        String chat(String prompt);
    }

    @Test
    void aFallbackClassListedTwiceIsRejected() {
        assertThat(problemsOf(() -> wrap(Twice.class, p -> p))).containsExactly(
                "Twice.chat(String): @Fallback.to lists " + Backup.class.getName() + " more than once");
    }

    public interface Ring {
        @Retry
        String chat(String prompt);
    }

    public static class First implements Ring {
        @Override
        @Fallback(to = Second.class)
        public String chat(String prompt) {
            return "first";
        }
    }

    public static class Second implements Ring {
        @Override
        @Fallback(to = Third.class)
        public String chat(String prompt) {
            return "second";
        }
    }

    public static class Third implements Ring {
        @Override
        @Fallback(to = First.class)
        public String chat(String prompt) {
            return "third";
        }
    }

    @Test
    void aFallbackCycleThroughSeveralClassesIsRejected() {
        assertThat(problemsOf(() -> wrap(Ring.class, new First()))).containsExactly(
                "First.chat(String): @Fallback.to forms a cycle First -> Second -> Third -> First");
    }

    @Fallback(to = Backup.class)
    interface OptOut extends Chat {
        @Override
        @Retry(attempts = 2, delay = 0)
        @Fallback(to = {})
        String chat(String prompt) throws IOException;

        @Retry(attempts = 1)
        String other(String prompt) throws IOException;
    }

    @Test
    void anEmptyFallbackToOptsOneMethodOutOfATypeLevelFallback() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        OptOut failing = new OptOut() {
            public String chat(String prompt) throws IOException {
                calls.incrementAndGet();
                throw new IOException();
            }

            public String other(String prompt) throws IOException {
                throw new IOException();
            }
        };
        OptOut wrapped = wrap(OptOut.class, failing);

        assertThatThrownBy(() -> wrapped.chat("q")).isInstanceOf(IOException.class);
        assertThat(calls.get()).isEqualTo(2);
        assertThat(wrapped.other("q")).isEqualTo("backup: q");
    }

    interface NothingToFallBackTo extends Chat {
        @Override
        @Retry(attempts = 2, delay = 0)
        @Fallback(to = {}, on = IOException.class)
        String chat(String prompt) throws IOException;

        @Fallback(to = {}, skipOn = ConnectException.class, onResult = Blank.class)
        String ask(String prompt);

        @Fallback(to = {}, on = IOException.class, handler = FallbackHandlerTest.Canned.class)
        String handled(String prompt) throws IOException;
    }

    @Test
    void aFallbackOnWithNothingToFallBackToIsRejectedAsTheBuildersFallbackOnIs() {
        String nothing = " no fallback to act on (no @Fallback.to alternative, no @Fallback.handler): name the "
                + "alternatives in @Fallback.to or a @Fallback.handler, or drop ";
        String optOut = " (an empty @Fallback.to alone opts the method out of a type-level @Fallback)";
        assertThat(problemsOf(() -> wrap(NothingToFallBackTo.class, new NothingToFallBackTo() {
            public String chat(String prompt) {
                return prompt;
            }

            public String ask(String prompt) {
                return prompt;
            }

            public String handled(String prompt) {
                return prompt;
            }
        }))).as("every problem, in getMethods() order: the JVM's, not the declaration's").containsExactlyInAnyOrder(
                "NothingToFallBackTo.chat(String): @Fallback.on has" + nothing + "@Fallback.on" + optOut,
                "NothingToFallBackTo.ask(String): @Fallback.skipOn and @Fallback.onResult have" + nothing
                        + "@Fallback.skipOn and @Fallback.onResult" + optOut);
        // the builder's fallbackOn, given the same, in the same words up to its own advice
        assertThatThrownBy(() -> Rebound.wrap(Chat.class, new ChatImpl()).fallbackOn(IOException.class).build())
                .hasMessageContaining("fallbackOn has no fallback to act on (no withFallbacks alternative, no "
                        + "withFallbackHandler)");
    }

    public static class SelfListing implements Chat {
        @Override
        @Fallback(to = SelfListing.class)
        public String chat(String prompt) {
            return "self";
        }
    }

    /** A class that the shared, type-level list names: it is every class's fallback but its own. */
    @Fallback(to = SharedListMember.class)
    public static class SharedListMember implements Chat {
        @Override
        public String chat(String prompt) {
            return "shared";
        }
    }

    @Test
    void aClassListingItselfInItsOwnMethodLevelFallbackIsRejectedAsTheBuilderRefusesTheTarget() {
        assertThat(problemsOf(() -> wrap(Chat.class, new SelfListing()))).containsExactly(
                "SelfListing.chat(String): @Fallback.to lists " + SelfListing.class.getName() + ", the target itself");
        Chat target = new ChatImpl();
        assertThatThrownBy(() -> Rebound.wrap(Chat.class, target).withFallbacks(target))
                .hasMessage("alternatives lists alternatives[0], the target itself");
        // a type-level list naming the class itself is a shared one: the class is skipped, not refused
        assertThat(Rebound.wrap(Chat.class, (Chat) new SharedListMember()).settings(ReboundSettings.builder()
                .logging(false).build()).build()).isNotNull();
    }

    interface FallbackLists extends Chat {
        @Override
        @Retry
        @Fallback(to = Backup.class, on = {OutOfMemoryError.class, InterruptedException.class, IOException.class},
                skipOn = IOException.class)
        String chat(String prompt);
    }

    @Test
    void fallbackOnListingAnErrorAnInterruptOrASkipOnTypeIsRejected() {
        assertThat(problemsOf(() -> wrap(FallbackLists.class, p -> p))).containsExactly(
                "FallbackLists.chat(String): @Fallback.on lists java.lang.OutOfMemoryError, an Error: Errors are "
                        + "never caught by a fallback",
                "FallbackLists.chat(String): @Fallback.on lists java.lang.InterruptedException: an interrupted call "
                        + "is never caught by a fallback",
                "FallbackLists.chat(String): @Fallback.on and @Fallback.skipOn both list java.io.IOException");
    }

    // ---- an exclusion that covers a type acted on

    public interface Covered {
        @Retry(attempts = 3, delay = 0, on = {ConnectException.class, SocketTimeoutException.class},
                abortOn = IOException.class)
        String retried(String prompt) throws IOException;

        @CircuitBreaker(on = ConnectException.class, skipOn = IOException.class)
        String recorded(String prompt) throws IOException;

        @Fallback(to = CoveredBackup.class, on = ConnectException.class, skipOn = IOException.class)
        String caught(String prompt) throws IOException;

        /** An exclusion under a type acted on narrows it: fine. */
        @Retry(attempts = 3, delay = 0, jitter = false, on = IOException.class, abortOn = ConnectException.class)
        @CircuitBreaker(on = IOException.class, skipOn = ConnectException.class)
        @Fallback(to = CoveredBackup.class, on = IOException.class, skipOn = ConnectException.class)
        String narrowed(String prompt) throws IOException;
    }

    public static class CoveredBackup implements Covered {
        @Override
        public String retried(String prompt) {
            return "backup";
        }

        @Override
        public String recorded(String prompt) {
            return "backup";
        }

        @Override
        public String caught(String prompt) {
            return "backup";
        }

        @Override
        public String narrowed(String prompt) {
            return "backup";
        }
    }

    /**
     * The exclusion wins for its subclasses and causes, so a type acted on that is one of them never takes
     * effect: refused, naming both types and both attributes.
     */
    @Test
    void aTypeActedOnThatAnExclusionCoversIsRejectedAndANarrowingExclusionIsNot() throws Exception {
        assertThat(problemsOf(() -> wrap(Covered.class, new CoveredBackup() { }))).containsExactlyInAnyOrder(
                "Covered.retried(String): @Retry.on lists java.net.ConnectException, a subclass of java.io.IOException,"
                        + " which @Retry.abortOn lists: it would never be retried",
                "Covered.retried(String): @Retry.on lists java.net.SocketTimeoutException, a subclass of"
                        + " java.io.IOException, which @Retry.abortOn lists: it would never be retried",
                "Covered.recorded(String): @CircuitBreaker.on lists java.net.ConnectException, a subclass of"
                        + " java.io.IOException, which @CircuitBreaker.skipOn lists: it would never be recorded by a"
                        + " circuit breaker",
                "Covered.caught(String): @Fallback.on lists java.net.ConnectException, a subclass of"
                        + " java.io.IOException, which @Fallback.skipOn lists: it would never be caught by a fallback");
    }

    public interface Narrowed {
        @Retry(attempts = 3, delay = 0, jitter = false, on = IOException.class, abortOn = ConnectException.class)
        String chat(String prompt) throws IOException;
    }

    @Test
    void anExclusionUnderATypeActedOnNarrowsIt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Narrowed refused = wrap(Narrowed.class, p -> {
            calls.incrementAndGet();
            throw new ConnectException("refused");
        });
        assertThatThrownBy(() -> refused.chat("q")).isInstanceOf(ConnectException.class);
        assertThat(calls).hasValue(1);
        Narrowed timedOut = wrap(Narrowed.class, p -> {
            calls.incrementAndGet();
            throw new SocketTimeoutException("slow");
        });
        assertThatThrownBy(() -> timedOut.chat("q")).isInstanceOf(SocketTimeoutException.class);
        assertThat(calls).hasValue(4);
    }

    // ---- methods that must not simply run again

    interface Mailer {
        @NonIdempotent
        @Retry(attempts = 3)
        @Fallback(to = BackupMailer.class)
        String send(String mail) throws IOException;
    }

    public static final class BackupMailer implements Mailer {
        @Override
        @Retry(attempts = 2)
        public String send(String mail) {
            return "backup";
        }
    }

    @Test
    void retryAndFallbackOnANonIdempotentMethodMustNameTheFailuresThatAreSafeToRepeat() {
        assertThat(problemsOf(() -> wrap(Mailer.class, m -> m))).containsExactly(
                "Mailer.send(String): @Retry(attempts = 3) on a @NonIdempotent method must list the failures that"
                        + " are safe to repeat it on, in @Retry.on",
                "BackupMailer.send(String): @Retry(attempts = 2) on a @NonIdempotent method must list the failures"
                        + " that are safe to repeat it on, in @Retry.on",
                "Mailer.send(String): @Fallback on a @NonIdempotent method must list the failures that are safe to"
                        + " repeat it on, in @Fallback.on");
    }

    /** Every implementation retries 3 times; the backup must not simply send twice. */
    @Retry(attempts = 3, delay = 0)
    interface Sender {
        String send(String message);
    }

    public static final class PrimarySender implements Sender {
        @Override
        @Fallback(to = OnceOnlySender.class)
        public String send(String message) {
            throw new IllegalStateException("primary down");
        }
    }

    public static final class OnceOnlySender implements Sender {
        static final AtomicInteger SENDS = new AtomicInteger();

        @Override
        @NonIdempotent
        public String send(String message) {
            SENDS.incrementAndGet();
            throw new IllegalStateException("timed out after the message left");
        }
    }

    @Test
    void aNonIdempotentAlternativeIsRefusedABlindRetryInTheWordsItGetsAsThePrimary() {
        String refusal = ": @Retry(attempts = 3) on a @NonIdempotent method must list the failures that are safe to"
                + " repeat it on, in @Retry.on";
        assertThat(problemsOf(() -> wrap(Sender.class, new OnceOnlySender())))
                .containsExactly("Sender.send(String)" + refusal);
        assertThat(problemsOf(() -> wrap(Sender.class, new PrimarySender())))
                .as("reached as an alternative, named as alternatives are").containsExactly("OnceOnlySender.send(String)" + refusal);
        assertThat(OnceOnlySender.SENDS.get()).isZero();
    }

    @NonIdempotent
    interface SafeMailer {
        @Retry(attempts = 3, delay = 0, on = ConnectException.class)
        String send(String mail) throws IOException;
    }

    @Test
    void aNonIdempotentMethodRetriesOnlyTheFailuresItNames() throws Exception {
        AtomicInteger sends = new AtomicInteger();
        SafeMailer flaky = mail -> {
            if (sends.incrementAndGet() == 1) {
                throw new ConnectException("refused before anything was sent");
            }
            throw new IOException("timed out after the mail may have gone");
        };
        SafeMailer wrapped = wrap(SafeMailer.class, flaky);

        assertThatThrownBy(() -> wrapped.send("hello")).isInstanceOf(IOException.class)
                .isNotInstanceOf(ConnectException.class);
        assertThat(sends.get()).isEqualTo(2);
    }

    /** Rejects a blank answer. */
    public static final class Blank implements Predicate<Object> {
        @Override
        public boolean test(Object answer) {
            return answer == null || answer.toString().isBlank();
        }
    }

    /** Sends for real, and answers blank: the mail went out, the server's answer was empty. */
    interface ResultMailer {
        @NonIdempotent
        @Retry(attempts = 3, delay = 0, on = ConnectException.class, onResult = Blank.class)
        String send(String mail);

        @NonIdempotent
        @Fallback(to = ResultBackup.class, on = ConnectException.class, onResult = Blank.class)
        String sendOnce(String mail);
    }

    public static final class ResultBackup implements ResultMailer {
        static final AtomicInteger SENDS = new AtomicInteger();

        @Override
        public String send(String mail) {
            SENDS.incrementAndGet();
            return "";
        }

        @Override
        public String sendOnce(String mail) {
            return send(mail);
        }
    }

    /** The alternative is @NonIdempotent itself, and its own retry judges its result. */
    interface Notifier {
        @Fallback(to = ResultRetryingBackup.class, on = ConnectException.class)
        String post(String message);
    }

    public static final class ResultRetryingBackup implements Notifier {
        @Override
        @NonIdempotent
        @Retry(attempts = 2, on = ConnectException.class, onResult = Blank.class)
        public String post(String message) {
            return "";
        }
    }

    @Test
    void aNonIdempotentMethodIsRefusedARetryOrAFallbackOnItsResult() {
        AtomicInteger sends = new AtomicInteger();
        ResultMailer smtp = new ResultMailer() {
            public String send(String mail) {
                sends.incrementAndGet();
                return "";
            }

            public String sendOnce(String mail) {
                return send(mail);
            }
        };
        String repeats = " on a @NonIdempotent method would repeat a call that returned, and so had its effect (where"
                + " a result shows that the call had no effect, throw a failure instead and list it in ";
        assertThat(problemsOf(() -> wrap(ResultMailer.class, smtp))).containsExactlyInAnyOrder(
                "ResultMailer.send(String): @Retry.onResult" + repeats + "@Retry.on)",
                "ResultMailer.sendOnce(String): @Fallback.onResult" + repeats + "@Fallback.on)");
        assertThat(problemsOf(() -> wrap(Notifier.class, m -> "sent")))
                .as("an alternative's own retry, named as alternatives are")
                .containsExactly("ResultRetryingBackup.post(String): @Retry.onResult" + repeats + "@Retry.on)");
        assertThat(sends.get() + ResultBackup.SENDS.get()).isZero();
    }

    interface Async {
        @Retry(attempts = 3)
        CompletableFuture<String> chatAsync(String prompt);

        @Fallback(to = AsyncBackup.class)
        Stream<String> chatStream(String prompt);
    }

    public static final class AsyncBackup implements Async {
        @Override
        public CompletableFuture<String> chatAsync(String prompt) {
            return CompletableFuture.completedFuture("backup");
        }

        @Override
        public Stream<String> chatStream(String prompt) {
            return Stream.of("backup");
        }
    }

    @Test
    void aMethodLevelPolicyOnAMethodReturningAStreamIsRejectedAndOnAFutureApplied() throws Exception {
        Async primary = new Async() {
            public CompletableFuture<String> chatAsync(String prompt) {
                return CompletableFuture.failedFuture(new IOException());
            }

            public Stream<String> chatStream(String prompt) {
                return Stream.of(prompt);
            }
        };
        assertThat(problemsOf(() -> wrap(Async.class, primary))).containsExactly(
                "Async.chatStream(String): @Fallback cannot act on a method returning Stream: its failures arrive "
                        + "after the call has returned (apply the policy where the result is awaited)");
        assertThat(dev.rebound.runtime.spi.Policies.resolve(primary.getClass(), Async.class.getMethod("chatAsync",
                String.class), ReboundSettings.builder().logging(false).build(), alt -> null).diagnostics()
                .primaryRetry().attempts())
                .as("a CompletableFuture method gets its @Retry (AsyncCallsTest runs it)").isEqualTo(3);
    }

    /** A future of the user's own type: Rebound answers with a CompletableFuture of its own and cannot make one. */
    static class OwnFuture extends CompletableFuture<String> {
    }

    interface OwnFutures {
        @Retry(attempts = 2, on = IOException.class)
        OwnFuture chat(String prompt);
    }

    @Test
    void aPolicyOnAMethodReturningASubtypeOfCompletableFutureIsRefusedNamingTheType() {
        assertThat(problemsOf(() -> wrap(OwnFutures.class, (OwnFutures) prompt -> new OwnFuture()))).containsExactly(
                "OwnFutures.chat(String): @Retry cannot act on a method returning OwnFuture: its failures arrive "
                        + "after the call has returned (apply the policy where the result is awaited)");
    }

    interface HandledStream {
        @Fallback(to = {}, handler = FallbackHandlerTest.Canned.class)
        Stream<String> lines(String prompt);

        @Fallback(to = {})
        Stream<String> optedOut(String prompt);
    }

    @Test
    void aMethodLevelFallbackHandlerOnAMethodReturningAStreamIsRejectedAsAnAlternativeIs() {
        String cannot = " cannot act on a method returning Stream: its failures arrive after the call has returned"
                + " (apply the policy where the result is awaited)";
        assertThat(problemsOf(() -> wrap(HandledStream.class, new HandledStream() {
            public Stream<String> lines(String prompt) {
                return Stream.of(prompt);
            }

            public Stream<String> optedOut(String prompt) {
                return Stream.of(prompt);
            }
        }))).containsExactly("HandledStream.lines(String): @Fallback" + cannot);
    }

    @Retry(attempts = 3, delay = 0)
    interface MixedApi {
        String chat(String prompt) throws IOException;

        CompletableFuture<String> chatAsync(String prompt);
    }

    @Test
    void aTypeLevelPolicyCoversMethodsReturningAFuture() throws Exception {
        MixedApi impl = new MixedApi() {
            public String chat(String prompt) {
                return prompt;
            }

            public CompletableFuture<String> chatAsync(String prompt) {
                return CompletableFuture.completedFuture(prompt);
            }
        };
        MixedApi wrapped = wrap(MixedApi.class, impl);

        ResilientMethod sync = ResilientProxy.policyOf(wrapped, MixedApi.class.getMethod("chat", String.class));
        ResilientMethod async = ResilientProxy.policyOf(wrapped, MixedApi.class.getMethod("chatAsync", String.class));
        assertThat(sync.diagnostics().primaryRetry().attempts()).isEqualTo(3);
        assertThat(async.diagnostics().primaryRetry().attempts()).isEqualTo(3);
        assertThat(wrapped.chatAsync("q").get()).isEqualTo("q");
    }

    interface SeveralProblems {
        @Retry(attempts = 0)
        String a();

        @Retry(delay = -1)
        @Fallback(to = NotAChat.class)
        String b();
    }

    @Test
    void everyProblemOfEveryMethodIsReportedAtOnce() {
        assertThat(problemsOf(() -> wrap(SeveralProblems.class, new SeveralProblems() {
            public String a() {
                return "";
            }

            public String b() {
                return "";
            }
        }))).hasSize(3);
    }
    // ---- policies on methods of the target that the wrapper never intercepts

    public interface Asker {
        String ask(String prompt);
    }

    public static class AskerBase {
        @Retry(attempts = 3, delay = 0)
        String inherited(String prompt) {
            return prompt;
        }
    }

    public static final class HelperAnnotated extends AskerBase implements Asker {
        @Override
        public String ask(String prompt) {
            return privately(prompt) + helper(prompt) + inherited(prompt) + statically(prompt);
        }

        @Retry(attempts = 3, delay = 0)
        private String privately(String prompt) {
            return prompt;
        }

        @Retry(attempts = 3, delay = 0)
        @CircuitBreaker
        public String helper(String prompt) {
            return prompt;
        }

        @Retry(attempts = 3, delay = 0)
        static String statically(String prompt) {
            return prompt;
        }
    }

    @Test
    void policiesOnMethodsNoDoorInterceptsAreRejectedAtBuildAndOnAPublicHelperWarned() {
        assertThat(problemsOf(() -> wrap(Asker.class, new HelperAnnotated()))).containsExactlyInAnyOrder(
                "HelperAnnotated.privately(String): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to"
                        + " public methods only",
                "HelperAnnotated.statically(String): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to"
                        + " instance methods only",
                "AskerBase.inherited(String): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to public"
                        + " methods only");

        String log = StdErr.during(() -> wrap(Asker.class, new HelperOnly()));
        assertThat(log).containsOnlyOnce("WARN dev.rebound - Rebound.wrap(Asker): HelperOnly.helper(String) (@Retry and"
                + " @CircuitBreaker) not applied: no method of an interface of HelperOnly is that method, so no"
                + " wrapper calls it (only a door that intercepts the class, the aspect or Guice, would apply it);"
                + " move the annotation to the interface method that calls it, or weave the class");
    }

    /** A private and a static interface method with a policy: callable only from within the interface. */
    public interface PrivateHelper {
        @Retry(attempts = 3, delay = 0)
        private String helper(String prompt) {
            return ask(prompt);
        }

        @Retry(attempts = 3, delay = 0)
        static String make(String prompt) {
            return prompt;
        }

        String ask(String prompt);

        default String chat(String prompt) {
            return helper(prompt);
        }
    }

    public static final class PrivateHelperImpl implements PrivateHelper {
        int calls;

        @Override
        public String ask(String prompt) {
            calls++;
            return prompt;
        }
    }

    @Test
    void policiesOnAPrivateOrStaticInterfaceMethodAreRejectedAtBuildNotDropped() {
        List<String> expected = List.of(
                "PrivateHelper.helper(String): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to public"
                        + " methods only",
                "PrivateHelper.make(String): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to instance"
                        + " methods only");
        PrivateHelperImpl target = new PrivateHelperImpl();
        assertThat(problemsOf(() -> wrap(PrivateHelper.class, target))).containsExactlyElementsOf(expected);
        assertThat(problemsOf(() -> Rebound.wrap(PrivateHelper.class, target).viaJdkProxy().build()))
                .containsExactlyElementsOf(expected);
        assertThat(target.calls).isZero();
    }

    /** Object's methods redeclared with a policy, by the interface and by the class. */
    public interface Described {
        @Retry(attempts = 3, delay = 0)
        String toString();

        @CircuitBreaker
        int hashCode();

        @Fallback(to = {})
        boolean equals(Object other);

        String chat(String prompt);
    }

    public static final class DescribedImpl implements Described {
        @Override
        @Retry(attempts = 2, delay = 0)
        public String toString() {
            return "described";
        }

        @Override
        public String chat(String prompt) {
            return prompt;
        }
    }

    /** A type-level policy: it reaches chat, not the redeclared toString. */
    @Retry(attempts = 3, delay = 0)
    public interface TypeLevelDescribed {
        String toString();

        String chat(String prompt);
    }

    @Test
    void aMethodLevelPolicyOnEqualsHashCodeOrToStringIsRejectedAtBuildAndATypeLevelOneDoesNotReachThem() {
        assertThat(problemsOf(() -> wrap(Described.class, new DescribedImpl()))).containsExactly(
                "Described.equals(Object): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals,"
                        + " hashCode and toString: no door intercepts Object's methods",
                "Described.hashCode(): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals,"
                        + " hashCode and toString: no door intercepts Object's methods",
                "Described.toString(): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals,"
                        + " hashCode and toString: no door intercepts Object's methods",
                "DescribedImpl.toString(): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals,"
                        + " hashCode and toString: no door intercepts Object's methods");

        String log = StdErr.during(() -> {
            TypeLevelDescribed wrapped = Rebound.wrap(TypeLevelDescribed.class, new TypeLevelDescribed() {
                @Override
                public String chat(String prompt) {
                    return prompt;
                }
            }).viaJdkProxy().build();
            assertThat(ResilientProxy.policyOf(wrapped, method(TypeLevelDescribed.class, "chat")).diagnostics()
                    .primaryRetry().attempts()).isEqualTo(3);
            assertThat(ResilientProxy.policyOf(wrapped, method(TypeLevelDescribed.class, "toString"))).isNull();
        });
        assertThat(log).doesNotContain("toString");
    }

    private static java.lang.reflect.Method method(Class<?> type, String name) {
        return java.util.Arrays.stream(type.getMethods()).filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow();
    }

    public static final class HelperOnly implements Asker {
        @Override
        public String ask(String prompt) {
            return helper(prompt);
        }

        @Retry(attempts = 3, delay = 0)
        @CircuitBreaker
        public String helper(String prompt) {
            return prompt;
        }
    }

    public interface Embedder {
        String embed(String text);
    }

    /** A client of two interfaces, each method with its own policy: either interface may be wrapped alone. */
    public static final class TwoInterfaces implements Asker, Embedder {
        @Override
        @Retry(attempts = 2, delay = 0)
        public String ask(String prompt) {
            return prompt;
        }

        @Override
        @Retry(attempts = 3, delay = 0)
        public String embed(String text) {
            return text;
        }
    }

    public static class GenericBase<T> {
        @Retry(attempts = 3, delay = 0)
        public String handle(T in) {
            return "h" + in;
        }
    }

    public interface Handler {
        String handle(String in);
    }

    /** The interface's method is the superclass's generic one, its type argument bound here. */
    public static final class GenericHandler extends GenericBase<String> implements Handler {
    }

    public interface TypedHandler<T> {
        String handle(T in);
    }

    /** A generic interface bound here: javac adds a bridge handle(Object) beside the annotated method. */
    public static final class StringHandler implements TypedHandler<String> {
        @Override
        @Retry(attempts = 3, delay = 0)
        public String handle(String in) {
            return "s" + in;
        }
    }

    @Test
    void aPolicyOnAMethodOfAnotherInterfaceOrOnAGenericSuperclassMethodIsNeitherRefusedNorWarned() {
        String log = StdErr.during(() -> {
            assertThat(wrap(Asker.class, new TwoInterfaces()).ask("a")).isEqualTo("a");
            assertThat(wrap(Embedder.class, new TwoInterfaces()).embed("e")).isEqualTo("e");
            Handler handler = wrap(Handler.class, new GenericHandler());
            assertThat(handler.handle("x")).isEqualTo("hx");
            assertThat(ResilientProxy.policyOf(handler, Handler.class.getMethods()[0]).diagnostics().primaryRetry()
                    .attempts()).as("the superclass's @Retry applies through the interface").isEqualTo(3);
            @SuppressWarnings("unchecked")
            TypedHandler<String> typed = wrap(TypedHandler.class, new StringHandler());
            assertThat(typed.handle("x")).isEqualTo("sx");
            assertThat(ResilientProxy.policyOf(typed, TypedHandler.class.getMethods()[0]).diagnostics()
                    .primaryRetry().attempts()).as("a generic interface's method").isEqualTo(3);
        });
        assertThat(log).doesNotContain("not applied");
    }

    @Test
    void withBuilderPoliciesWhatNoDoorCouldApplyIsWarnedNotRefused() {
        String log = StdErr.during(() -> {
            Asker wrapped = Rebound.wrap(Asker.class, new HelperAnnotated())
                    .settings(ReboundSettings.builder().logging(false).build())
                    .withRetry(dev.rebound.runtime.RetryPolicy.builder().attempts(2).build()).build();
            assertThat(wrapped.ask("a")).isEqualTo("aaaa");
        });
        assertThat(log).containsOnlyOnce("WARN dev.rebound - Rebound.wrap(Asker) with builder policies: not applied,"
                + " and no door would apply them: ")
                .contains("HelperAnnotated.privately(String): @Retry, @Fallback, @CircuitBreaker and @RateLimit"
                        + " apply to public methods only");
    }
}
