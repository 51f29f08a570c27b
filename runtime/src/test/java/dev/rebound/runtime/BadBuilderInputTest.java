package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.NonIdempotent;
import dev.rebound.runtime.internal.ResilientProxy;
import dev.rebound.runtime.metrics.MicrometerListener;
import dev.rebound.runtime.ratelimit.RedisRateLimitStore;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Bad input, builders: every invalid argument fails at once with NullPointerException (null) or
 * IllegalArgumentException (bad value), naming the argument. One test per row of the README's table.
 */
class BadBuilderInputTest {

    public interface Chat {
        String chat(String prompt) throws IOException;
    }

    @Test
    @SuppressWarnings("unchecked")
    void retryPolicyBuilderRejectsNullsNamingTheArgument() {
        RetryPolicy.Builder b = RetryPolicy.builder();
        assertThatThrownBy(() -> b.delay(null)).isInstanceOf(NullPointerException.class).hasMessage("delay");
        assertThatThrownBy(() -> b.maxDelay(null)).isInstanceOf(NullPointerException.class).hasMessage("maxDelay");
        assertThatThrownBy(() -> b.maxDuration(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("maxDuration");
        assertThatThrownBy(() -> b.retryOn((Class<? extends Throwable>[]) null))
                .isInstanceOf(NullPointerException.class).hasMessage("retryOn");
        assertThatThrownBy(() -> b.retryOn(IOException.class, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("retryOn[1]");
        assertThatThrownBy(() -> b.abortOn((Class<? extends Throwable>) null))
                .isInstanceOf(NullPointerException.class).hasMessage("abortOn[0]");
    }

    @Test
    void retryPolicyBuilderRejectsBadValuesNamingTheArgument() {
        RetryPolicy.Builder b = RetryPolicy.builder();
        assertThatThrownBy(() -> b.attempts(0)).hasMessage("attempts = 0 is outside 1..100");
        assertThatThrownBy(() -> b.attempts(101)).hasMessage("attempts = 101 is outside 1..100");
        assertThatThrownBy(() -> b.delay(Duration.ofMillis(-1))).hasMessage("delay = -1 ms is negative");
        assertThatThrownBy(() -> b.maxDelay(Duration.ofMillis(-1))).hasMessage("maxDelay = -1 ms is negative");
        assertThatThrownBy(() -> b.maxDuration(Duration.ofMillis(-1))).hasMessage("maxDuration = -1 ms is negative");
        assertThatThrownBy(() -> b.multiplier(0.99)).hasMessage("multiplier = 0.99 must be a finite number >= 1.0");
        assertThatThrownBy(() -> b.multiplier(Double.NaN)).hasMessage("multiplier = NaN must be a finite number >= 1.0");
        assertThatThrownBy(() -> b.multiplier(Double.POSITIVE_INFINITY))
                .hasMessage("multiplier = Infinity must be a finite number >= 1.0");
        assertThatThrownBy(() -> b.retryOn(AssertionError.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryOn lists java.lang.AssertionError, an Error: Errors are never retried");
        assertThatThrownBy(() -> b.retryOn(InterruptedException.class))
                .hasMessage("retryOn lists java.lang.InterruptedException: an interrupted call is never retried");
        assertThatThrownBy(() -> b.retryOn(ReboundConfigurationException.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryOn lists dev.rebound.runtime.ReboundConfigurationException, a policy that could"
                        + " not be built: a configuration error is never retried");
        assertThatThrownBy(() -> RetryPolicy.builder().delay(Duration.ofSeconds(2)).maxDelay(Duration.ofSeconds(1))
                .build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxDelay = 1 s is below delay = 2 s");
        assertThatThrownBy(() -> RetryPolicy.builder().retryOn(IOException.class).abortOn(IOException.class).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryOn and abortOn both list java.io.IOException");
    }

    /** abortOn wins for its subclasses and causes: a retryOn type under an abortOn type is never retried. */
    @Test
    void aRetryOnTypeUnderAnAbortOnTypeIsRefusedAndANarrowingAbortOnIsNot() throws Exception {
        assertThatThrownBy(() -> RetryPolicy.builder().retryOn(ConnectException.class, SocketTimeoutException.class)
                .abortOn(IOException.class).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryOn lists java.net.ConnectException, a subclass of java.io.IOException, which abortOn"
                        + " lists: it would never be retried");
        RetryPolicy narrowed = RetryPolicy.builder().retryOn(IOException.class).abortOn(ConnectException.class).build();
        assertThat(narrowed.retries(new SocketTimeoutException())).isTrue();
        assertThat(narrowed.retries(new ConnectException())).isFalse();
    }

    @Test
    void retryPolicyBuilderSaturatesDurationsTooLongForNanoseconds() {
        RetryPolicy p = RetryPolicy.builder().delay(Duration.ofSeconds(Long.MAX_VALUE))
                .maxDelay(Duration.ofSeconds(Long.MAX_VALUE)).maxDuration(Duration.ofSeconds(Long.MAX_VALUE))
                .multiplier(Double.MAX_VALUE).jitter(false).attempts(100).build();

        assertThat(p.delay()).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(RetryPolicy.builder().maxDelay(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999)).build().maxDelay())
                .isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThat(p.waitNanos(99, null)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void wrapRejectsNullsAClassTypeAndATargetOfAnotherType() {
        Chat chat = p -> p;
        assertThatThrownBy(() -> Rebound.wrap(null, chat)).isInstanceOf(NullPointerException.class).hasMessage("type");
        assertThatThrownBy(() -> Rebound.wrap(Chat.class, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("target");
        assertThatThrownBy(() -> Rebound.wrap(String.class, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be an interface");
        assertThatThrownBy(() -> Rebound.wrap((Class) Runnable.class, chat))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not implement java.lang.Runnable");
    }

    @Test
    @SuppressWarnings("unchecked")
    void wrapBuilderRejectsNullsSelfDuplicatesAndUselessFallbackTypes() {
        Chat chat = p -> p;
        Chat other = p -> "other";
        Rebound.Builder<Chat> b = Rebound.wrap(Chat.class, chat);
        assertThatThrownBy(() -> b.withRetry(null)).isInstanceOf(NullPointerException.class).hasMessage("policy");
        assertThatThrownBy(() -> b.withFallbacks((Chat[]) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("alternatives");
        assertThatThrownBy(() -> b.withFallbacks(other, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("alternatives[1]");
        assertThatThrownBy(() -> b.withFallbacks(chat)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("alternatives lists alternatives[0], the target itself");
        assertThatThrownBy(() -> b.withFallbacks(other, other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("alternatives lists alternatives[1] more than once");
        assertThatThrownBy(() -> b.fallbackOn((Class<? extends Throwable>[]) null))
                .isInstanceOf(NullPointerException.class).hasMessage("fallbackOn");
        assertThatThrownBy(() -> b.fallbackOn(IOException.class, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("fallbackOn[1]");
        assertThatThrownBy(() -> b.fallbackOn(StackOverflowError.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fallbackOn lists java.lang.StackOverflowError, an Error: Errors are never caught by a "
                        + "fallback");
        assertThatThrownBy(() -> b.settings(null)).isInstanceOf(NullPointerException.class).hasMessage("settings");
    }

    @Test
    @SuppressWarnings({"rawtypes", "unchecked"})
    void anAlternativeThatDoesNotImplementTheInterfaceIsRefusedAtWithFallbacksNotAtACall() {
        Rebound.Builder raw = Rebound.wrap(Chat.class, p -> p);
        assertThatThrownBy(() -> raw.withFallbacks((Chat) p -> "ok", "not a Chat"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("alternatives[1] java.lang.String does not implement " + Chat.class.getName());
    }

    public interface AnnotatedChat {
        @Fallback(to = AnnotatedBackup.class)
        String chat(String prompt);
    }

    public static final class AnnotatedBackup implements AnnotatedChat {
        @Override
        public String chat(String prompt) {
            return "backup";
        }
    }

    @Test
    void fallbackOnWithNoFallbackToActOnIsRefusedAtBuildNotIgnored() {
        AnnotatedChat failing = p -> {
            throw new IllegalStateException("down");
        };
        ReboundSettings quiet = ReboundSettings.builder().logging(false).build();
        String refused = "Rebound.wrap(AnnotatedChat): fallbackOn has no fallback to act on (no withFallbacks "
                + "alternative, no withFallbackHandler), and builder policies never adjust the annotations' "
                + "@Fallback: give the alternatives to withFallbacks, or drop fallbackOn to apply the annotations";
        for (Rebound.Builder<AnnotatedChat> b : List.of(
                Rebound.wrap(AnnotatedChat.class, failing).fallbackOn(IOException.class),
                Rebound.wrap(AnnotatedChat.class, failing).withRetry(RetryPolicy.none()).fallbackOn(IOException.class),
                Rebound.wrap(AnnotatedChat.class, failing).withFallbacks().fallbackOn(IOException.class))) {
            assertThatThrownBy(() -> b.settings(quiet).build()).isInstanceOfSatisfying(
                    ReboundConfigurationException.class, e -> assertThat(e.problems()).containsExactly(refused));
        }
        // with alternatives (or a handler) to act on, it holds: an IllegalStateException is not an IOException
        AnnotatedChat narrowed = Rebound.wrap(AnnotatedChat.class, failing).withFallbacks(new AnnotatedBackup())
                .fallbackOn(IOException.class).settings(quiet).build();
        assertThatThrownBy(() -> narrowed.chat("q")).isInstanceOf(IllegalStateException.class).hasMessage("down");
        AnnotatedChat handled = Rebound.wrap(AnnotatedChat.class, failing).withFallbackHandler(c -> "handled")
                .fallbackOn(IllegalStateException.class).settings(quiet).build();
        assertThat(handled.chat("q")).isEqualTo("handled");
    }

    @Test
    void redisStoreBuilderRefusesADurationThatIsNotPositiveInTheRuleSetsWords() {
        RedisRateLimitStore.Builder b = RedisRateLimitStore.builder("redis://127.0.0.1:1");
        assertThatThrownBy(() -> b.timeout(Duration.ofMillis(-5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout = -5 ms is not positive");
        assertThatThrownBy(() -> b.retryInterval(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retryInterval = 0 s is not positive");
        assertThatThrownBy(() -> b.timeout(null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
    }

    /** A blank name reads as any other bad argument: the setter, the value, why (configuration-errors.md). */
    @Test
    void aBlankNameIsRefusedInTheRuleSetsWords() {
        assertThatThrownBy(() -> RedisRateLimitStore.builder("redis://127.0.0.1:1").namespace(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("namespace = \" \" is blank");
        assertThatThrownBy(() -> Rebound.wrap(Runnable.class, () -> { }).named(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("named = \" \" is blank");
        assertThatThrownBy(() -> Rebound.wrap(Runnable.class, () -> { }).named(null))
                .isInstanceOf(NullPointerException.class).hasMessage("named");
    }

    public interface Lines {
        Stream<String> lines(String prompt);

        Future<String> later(String prompt);
    }

    public interface LinesAndChat extends Lines {
        String chat(String prompt) throws IOException;
    }

    /** Redeclares one of Object's methods only: no wrapper intercepts it. */
    public interface Described {
        @Override
        String toString();
    }

    @Test
    void builderPoliciesOverAnInterfaceWithoutAMethodAWrapperInterceptsAreRefused() {
        Described described = new Described() {
            @Override
            public String toString() {
                return "described";
            }
        };
        assertThatThrownBy(() -> Rebound.wrap(Described.class, described)
                .withRetry(RetryPolicy.builder().attempts(3).build()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("Rebound.wrap(Described): the builder's policies (withRetry) reach no method"
                                + " of Described: it declares no method a wrapper intercepts (Object's methods go"
                                + " straight to the target)"));
    }

    /**
     * A method whose failures arrive after it returns is out of the builder's policies' reach: over an
     * interface of only such methods they would apply to nothing, and are refused; over one that also has
     * other methods, one WARN names the methods skipped (and none of the arguments).
     */
    @Test
    void builderPoliciesThatReachNoMethodAreRefusedAndTheMethodsTheySkipWarned() throws Exception {
        class FixedLines implements Lines {
            @Override
            public Stream<String> lines(String prompt) {
                return Stream.of(prompt);
            }

            @Override
            public Future<String> later(String prompt) {
                return CompletableFuture.completedFuture(prompt);
            }
        }
        Lines lines = new FixedLines();
        ReboundSettings quiet = ReboundSettings.builder().logging(false).build();
        assertThatThrownBy(() -> Rebound.wrap(Lines.class, lines).withRetry(RetryPolicy.builder().attempts(3).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().build()).settings(quiet).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("Rebound.wrap(Lines): the builder's policies (withRetry, withCircuitBreaker)"
                                + " reach no method of Lines: Lines.later(String) (returns Future),"
                                + " Lines.lines(String) (returns Stream) go straight to the target, since their"
                                + " failures arrive after the call has returned (apply the policy where the result"
                                + " is awaited)"));

        AtomicInteger calls = new AtomicInteger();
        class FlakyChat extends FixedLines implements LinesAndChat {
            @Override
            public String chat(String prompt) throws IOException {
                if (calls.incrementAndGet() < 3) {
                    throw new IOException("down");
                }
                return prompt;
            }
        }
        LinesAndChat both = new FlakyChat();
        LinesAndChat[] wrapped = new LinesAndChat[1];
        String log = StdErr.during(() -> wrapped[0] = Rebound.wrap(LinesAndChat.class, both)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build()).settings(quiet).build());
        assertThat(log.lines().filter(l -> l.contains("WARN ")).map(l -> l.substring(l.indexOf("WARN "))))
                .containsExactly("WARN dev.rebound - Rebound.wrap(LinesAndChat): the builder's policies (withRetry)"
                        + " skip 2 methods: LinesAndChat.later(String) (returns Future), LinesAndChat.lines(String)"
                        + " (returns Stream) go straight to the target, since their failures arrive after the call has"
                        + " returned (apply the policy where the result is awaited)");
        assertThat(wrapped[0].chat("q")).isEqualTo("q");
        assertThat(calls).hasValue(3);
        assertThat(wrapped[0].lines("q")).containsExactly("q");
    }

    @Test
    void withFallbacksOfNothingMeansNoAlternatives() {
        Chat failing = p -> {
            throw new IOException();
        };
        Chat wrapped = Rebound.wrap(Chat.class, failing).withFallbacks()
                .settings(ReboundSettings.builder().logging(false).build()).build();

        assertThatThrownBy(() -> wrapped.chat("q")).isInstanceOf(IOException.class);
    }

    @Test
    void settingsBuilderAndGlobalSettingsRejectNullsNamingTheArgument() {
        ReboundSettings.Builder b = ReboundSettings.builder();
        assertThatThrownBy(() -> b.timeSource(null)).isInstanceOf(NullPointerException.class).hasMessage("timeSource");
        assertThatThrownBy(() -> b.listener(null)).isInstanceOf(NullPointerException.class).hasMessage("listener");
        assertThatThrownBy(() -> b.random(null)).isInstanceOf(NullPointerException.class).hasMessage("random");
        assertThatThrownBy(() -> b.alternatives(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("alternatives");
        assertThatThrownBy(() -> ReboundSettings.setGlobal(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("settings");
        assertThatThrownBy(() -> new MicrometerListener(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("registry");
    }

    @Test
    void retryAfterRejectsNullIgnoresNegativeAndAHugeHintEndsTheRetries() throws Exception {
        assertThatThrownBy(() -> RetryAfter.suggest(null)).isInstanceOf(NullPointerException.class).hasMessage("wait");
        RetryAfter.suggest(Duration.ofSeconds(-5));
        assertThat(RetryAfter.takeNanos()).isZero();

        AtomicInteger calls = new AtomicInteger();
        Chat limited = p -> {
            if (calls.incrementAndGet() == 1) {
                RetryAfter.suggest(Duration.ofSeconds(Long.MAX_VALUE));
                throw new IOException("429");
            }
            return "ok";
        };
        VirtualTimeSource time = new VirtualTimeSource();
        Chat wrapped = Rebound.wrap(Chat.class, limited)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100))
                        .maxDelay(Duration.ofSeconds(30)).jitter(false).build())
                .settings(ReboundSettings.builder().logging(false).timeSource(time).build()).build();

        assertThatThrownBy(() -> wrapped.chat("q")).isInstanceOf(IOException.class).hasMessage("429");
        assertThat(calls.get()).isEqualTo(1);
        assertThat(time.sleeps()).isEmpty();
    }

    interface Mailer {
        @NonIdempotent
        String send(String mail) throws IOException;

        String status(String id) throws IOException;

        CompletableFuture<String> sendAsync(String mail);
    }

    static final class FakeMailer implements Mailer {
        final AtomicInteger sends = new AtomicInteger();
        private final String answer;

        FakeMailer() {
            this("sent");
        }

        FakeMailer(String answer) {
            this.answer = answer;
        }

        @Override
        public String send(String mail) {
            sends.incrementAndGet();
            return answer;
        }

        @Override
        public String status(String id) {
            return "ok";
        }

        @Override
        public CompletableFuture<String> sendAsync(String mail) {
            return CompletableFuture.completedFuture("sent");
        }
    }

    @Test
    void wrapRejectsABlindRetryOrFallbackOfANonIdempotentMethod() {
        assertThatThrownBy(() -> Rebound.wrap(Mailer.class, (Mailer) new FakeMailer())
                .withRetry(RetryPolicy.builder().attempts(3).build()).withFallbacks(new FakeMailer()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly(
                                "Mailer.send(String): withRetry(attempts = 3) on a @NonIdempotent method must list "
                                        + "the failures that are safe to repeat it on, in RetryPolicy.Builder.retryOn",
                                "Mailer.send(String): withFallbacks on a @NonIdempotent method must list the "
                                        + "failures that are safe to repeat it on, in fallbackOn"));
    }

    @Test
    void wrapRefusesToSendANonIdempotentCallAgainOnItsResult() {
        FakeMailer blank = new FakeMailer(""); // the mail goes out; the server's answer is blank
        Predicate<String> blankAnswer = String::isBlank;
        String repeats = " on a @NonIdempotent method would repeat a call that returned, and so had its effect (where"
                + " a result shows that the call had no effect, throw a failure instead and list it in ";
        assertThatThrownBy(() -> Rebound.wrap(Mailer.class, (Mailer) blank)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).retryOn(ConnectException.class)
                        .retryOnResult(blankAnswer).build())
                .withFallbacks(new FakeMailer()).fallbackOn(ConnectException.class).fallbackOnResult(blankAnswer)
                .settings(ReboundSettings.builder().logging(false).build()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly(
                                "Mailer.send(String): RetryPolicy.Builder.retryOnResult" + repeats
                                        + "RetryPolicy.Builder.retryOn)",
                                "Mailer.send(String): fallbackOnResult" + repeats + "fallbackOn)"));
        assertThat(blank.sends.get()).isZero();
    }

    @Test
    void wrapAcceptsANonIdempotentMethodWhenTheSafeFailuresAreNamedAndCoversFutures() throws Exception {
        Mailer wrapped = Rebound.wrap(Mailer.class, (Mailer) new FakeMailer())
                .withRetry(RetryPolicy.builder().attempts(3).retryOn(ConnectException.class).build())
                .withFallbacks(new FakeMailer()).fallbackOn(ConnectException.class)
                .settings(ReboundSettings.builder().logging(false).build()).build();

        assertThat(wrapped.send("m")).isEqualTo("sent");
        assertThat(ResilientProxy.policyOf(wrapped, Mailer.class.getMethod("status", String.class))).isNotNull();
        assertThat(ResilientProxy.policyOf(wrapped, Mailer.class.getMethod("sendAsync", String.class))).isNotNull();
        assertThat(List.of(wrapped.sendAsync("m").get())).containsExactly("sent");
    }
}
