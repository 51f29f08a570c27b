package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Semantics 8: invalid configuration fails when the policy is built, naming method and attribute. */
class ConfigurationTest {

    @Test
    void builderRejectsEachBadValueNamingTheArgument() {
        assertThatThrownBy(() -> RetryPolicy.builder().attempts(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attempts").hasMessageContaining("1..100");
        assertThatThrownBy(() -> RetryPolicy.builder().attempts(101)).hasMessageContaining("attempts");
        assertThatThrownBy(() -> RetryPolicy.builder().delay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
        assertThatThrownBy(() -> RetryPolicy.builder().delay(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delay");
        assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5)).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> RetryPolicy.builder().multiplier(Double.NaN)).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> RetryPolicy.builder().maxDuration(Duration.ofSeconds(-1)))
                .hasMessageContaining("maxDuration");
        assertThatThrownBy(() -> RetryPolicy.builder().delay(Duration.ofSeconds(2)).maxDelay(Duration.ofSeconds(1))
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay")
                .hasMessageContaining("delay");
        assertThatThrownBy(() -> RetryPolicy.builder().retryOn((Class<? extends Throwable>) null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void builtPoliciesAreImmutableValues() {
        RetryPolicy.Builder b = RetryPolicy.builder().attempts(2);
        RetryPolicy first = b.build();
        b.attempts(7);

        assertThat(first.attempts()).isEqualTo(2);
        assertThat(b.build().attempts()).isEqualTo(7);
        assertThatThrownBy(() -> first.retryOn().add(Exception.class))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    public interface Plain {
        String chat(String prompt) throws IOException;
    }

    /** The Javadoc of each list setter: a second call replaces the earlier list, it does not add to it. */
    @Test
    void aListSetterCalledAgainReplacesTheEarlierList() throws Exception {
        RetryPolicy retry = RetryPolicy.builder().retryOn(ConnectException.class)
                .retryOn(SocketTimeoutException.class).abortOn(IllegalStateException.class)
                .abortOn(UnsupportedOperationException.class).build();
        assertThat(retry.retryOn()).containsExactly(SocketTimeoutException.class);
        assertThat(retry.abortOn()).containsExactly(UnsupportedOperationException.class);
        assertThat(retry.retries(new ConnectException())).isFalse();

        List<String> called = new ArrayList<>();
        Plain first = p -> {
            called.add("first");
            return "first";
        };
        Plain second = p -> {
            called.add("second");
            return "second";
        };
        Plain wrapped = Rebound.wrap(Plain.class, (Plain) p -> {
            throw new IOException("down");
        }).withFallbacks(first).withFallbacks(second)
                .settings(ReboundSettings.builder().logging(false).build()).build();
        assertThat(wrapped.chat("q")).isEqualTo("second");
        assertThat(called).containsExactly("second");
    }

    interface BadValues {
        @Retry(attempts = 0, delay = -5, multiplier = 0.5)
        String chat(String prompt);
    }

    static final class BadValuesImpl implements BadValues {
        @Override
        public String chat(String prompt) {
            return prompt;
        }
    }

    @Test
    void invalidAnnotationValuesAreAllReportedAtBuildTimeNamingMethodAndAttribute() {
        assertThatThrownBy(() -> Rebound.wrap(BadValues.class, new BadValuesImpl()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly(
                                "BadValues.chat(String): @Retry.attempts = 0 is outside 1..100",
                                "BadValues.chat(String): @Retry.delay = -5 ms is negative",
                                "BadValues.chat(String): @Retry.multiplier = 0.5 must be a finite number >= 1.0"));
    }

    interface Chat {
        @Retry
        @Fallback(to = NotAChat.class)
        String chat(String prompt);
    }

    public static final class NotAChat {
    }

    static final class ChatImpl implements Chat {
        @Override
        public String chat(String prompt) {
            return prompt;
        }
    }

    @Test
    void anAlternativeThatDoesNotImplementTheInterfaceIsRejected() {
        assertThatThrownBy(() -> Rebound.wrap(Chat.class, new ChatImpl()).build())
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("Chat.chat(String): @Fallback.to")
                .hasMessageContaining("NotAChat does not implement");
    }

    interface Looping {
        @Retry
        String chat(String prompt);
    }

    public static class A implements Looping {
        @Override
        @Fallback(to = B.class)
        public String chat(String prompt) {
            return "a";
        }
    }

    public static class B implements Looping {
        @Override
        @Fallback(to = A.class)
        public String chat(String prompt) {
            return "b";
        }
    }

    @Test
    void aFallbackChainThatLoopsBackIsRejected() {
        assertThatThrownBy(() -> Rebound.wrap(Looping.class, new A()).build())
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("A.chat(String): @Fallback.to forms a cycle A -> B -> A");
    }

    interface Unmakeable {
        @Retry
        @Fallback(to = {NoDefaultConstructor.class, AbstractChat.class})
        String chat(String prompt);
    }

    public static class NoDefaultConstructor implements Unmakeable {
        public NoDefaultConstructor(String key) {
        }

        @Override
        public String chat(String prompt) {
            return "x";
        }
    }

    public abstract static class AbstractChat implements Unmakeable {
    }

    static final class UnmakeableImpl implements Unmakeable {
        @Override
        public String chat(String prompt) {
            return prompt;
        }
    }

    @Test
    void alternativesWithoutAUsableConstructorAreRejectedAtBuildTime() {
        assertThatThrownBy(() -> Rebound.wrap(Unmakeable.class, new UnmakeableImpl()).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> {
                    assertThat(e.problems()).hasSize(2);
                    assertThat(e.problems().get(0)).contains("Unmakeable.chat(String): @Fallback.to")
                            .contains("NoDefaultConstructor has no public no-argument constructor");
                    assertThat(e.problems().get(1)).contains("AbstractChat is abstract");
                });
    }

    @Test
    void wrapRejectsAClassTypeAndAMismatchedTarget() {
        assertThatThrownBy(() -> Rebound.wrap(ChatImpl.class, new ChatImpl()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be an interface");
        assertThatThrownBy(() -> Rebound.wrap(Chat.class, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("target");
        ChatImpl impl = new ChatImpl();
        assertThatThrownBy(() -> Rebound.wrap(Chat.class, impl).withFallbacks(impl))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the target itself");
    }

    interface Primary {
        @Retry(attempts = 2)
        String chat(String prompt);
    }

    interface Secondary {
        @Retry(attempts = 5)
        String chat(String prompt);
    }

    interface Both extends Primary, Secondary {
    }

    static class BothInterfaces implements Primary, Secondary {
        @Override
        public String chat(String prompt) {
            return prompt;
        }
    }

    static class BothInterfacesSettled implements Primary, Secondary {
        @Override
        @Retry(attempts = 4)
        public String chat(String prompt) {
            return prompt;
        }
    }

    @Test
    void twoInterfacesThatAnnotateOneMethodDifferentlyAreRejectedUnlessTheClassChooses() {
        assertThatThrownBy(() -> Rebound.wrap(Primary.class, new BothInterfaces()).build())
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("Primary.chat(String): @Retry differs between Primary and Secondary")
                .hasMessageContaining("annotate BothInterfaces.chat to choose");

        // a lambda's class can't be annotated: the message says where to choose instead
        Both lambda = prompt -> prompt;
        assertThatThrownBy(() -> Rebound.wrap(Both.class, lambda).build())
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("@Retry differs between Primary and Secondary (both declare chat); annotate chat"
                        + " in an interface that extends both to choose");

        Primary settled = Rebound.wrap(Primary.class, new BothInterfacesSettled()).build();
        dev.rebound.runtime.spi.MethodDiagnostics policy = dev.rebound.runtime.internal.ResilientProxy
                .policyOf(settled, Primary.class.getMethods()[0]).diagnostics();
        assertThat(policy.primaryRetry().attempts()).isEqualTo(4);
    }

    @Test
    void twoInterfacesThatAnnotateOneMethodDifferentlyAreOneProblemListedOnce() {
        // Both lists Primary.chat and Secondary.chat: each resolves to the same conflict, said once
        Both lambda = prompt -> prompt;
        assertThatThrownBy(() -> Rebound.wrap(Both.class, lambda).build())
                .isInstanceOfSatisfying(ReboundConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("Primary.chat(String): @Retry differs between Primary and Secondary (both"
                                + " declare chat); annotate chat in an interface that extends both to choose"));
    }

    /** A library's interface that declares the same method, carrying no policy. */
    public interface Completer {
        String chat(String prompt);
    }

    public interface Answers {
        @Retry(attempts = 3, delay = 0)
        @Fallback(to = AnswersBackup.class)
        String chat(String prompt);
    }

    public static class AnswersBackup implements Answers {
        @Override
        public String chat(String prompt) {
            return "backup: " + prompt;
        }
    }

    /** Lists the unannotated interface first. */
    public static class CompleterFirst implements Completer, Answers {
        int calls;

        @Override
        public String chat(String prompt) {
            calls++;
            throw new IllegalStateException("down");
        }
    }

    @Test
    void aMethodBelongsToTheInterfaceWhereItsPolicyIsWrittenWhateverTheImplementsOrder() {
        List<ReboundEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder().logging(false).listener(events::add).build();
        // wrapped as the interface listed first: Answers' policy, named after Answers, its alternatives Answers
        CompleterFirst first = new CompleterFirst();
        assertThat(Rebound.wrap(Completer.class, first).settings(settings).build().chat("q")).isEqualTo("backup: q");
        assertThat(first.calls).isEqualTo(3);
        assertThat(events.stream().map(ReboundEvent::method).distinct()).containsExactly("Answers.chat(String)");

        events.clear();
        CompleterFirst second = new CompleterFirst();
        assertThat(Rebound.wrap(Answers.class, second).settings(settings).build().chat("q")).isEqualTo("backup: q");
        assertThat(second.calls).isEqualTo(3);
        assertThat(events.stream().map(ReboundEvent::method).distinct()).containsExactly("Answers.chat(String)");
    }

    interface Resolved {
        @Retry
        @Fallback(to = ResolvedBackup.class)
        String chat(String prompt);
    }

    public static class ResolvedBackup implements Resolved {
        @Override
        public String chat(String prompt) {
            return "backup";
        }
    }

    static class ResolvedImpl implements Resolved {
        @Override
        public String chat(String prompt) {
            return prompt;
        }
    }

    @Test
    void aCustomResolversFailureIsReportedByClassNeverByItsMessage() {
        ReboundSettings leaky = ReboundSettings.builder().alternatives(type -> {
            throw new IllegalStateException("could not log in with key sk-SECRET");
        }).build();

        assertThatThrownBy(() -> Rebound.wrap(Resolved.class, new ResolvedImpl()).settings(leaky).build())
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("@Fallback.to " + ResolvedBackup.class.getName()
                        + " cannot be provided: java.lang.IllegalStateException")
                .hasMessageNotContaining("sk-SECRET");
    }
}
