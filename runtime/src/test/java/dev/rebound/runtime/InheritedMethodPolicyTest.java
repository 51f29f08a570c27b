package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A type-level policy applies to every public method callable through the type, the ones it inherits
 * from an unannotated super-interface included (regression: {@code Function.apply} of an annotated
 * {@code Chat extends Function<String, String>} ran once). Through {@code Rebound.wrap}'s JDK proxy.
 */
class InheritedMethodPolicyTest {

    @Retry(attempts = 3)
    public interface Chat extends Function<String, String> {
    }

    /** A nearer type's own type-level policy wins over the farther one's. */
    @Retry(attempts = 2)
    public interface ShortChat extends Chat {
    }

    public interface Asks {
        @Retry(attempts = 1)
        String ask(String prompt);
    }

    /** The method's own annotation, on the super-interface, wins over this type's. */
    @Retry(attempts = 3)
    public interface AsksOnce extends Asks {
    }

    @Retry(attempts = 2)
    public interface TwiceChat extends Function<String, String> {
    }

    /** Inherits apply from two types whose type-level policies differ, saying nothing itself. */
    public interface Ambiguous extends Chat, TwiceChat {
    }

    /** Settles the ambiguity with its own type-level policy. */
    @Retry(attempts = 4)
    public interface Settled extends Chat, TwiceChat {
    }

    @Retry(attempts = 0)
    public interface BadChat extends Function<String, String> {
    }

    public interface AsyncBase {
        java.util.concurrent.CompletableFuture<String> chat(String prompt);
    }

    /** A policy that cannot act on the method it inherits: refused, in the processor's words (BuildErrorTest). */
    @dev.rebound.annotations.RateLimit(requestsPerMinute = 10)
    public interface Limited extends AsyncBase {
    }

    @Fallback(to = Backup.class)
    public interface GuardedChat extends Function<String, String> {
    }

    public static final class Backup implements GuardedChat {
        @Override
        public String apply(String prompt) {
            return "backup";
        }
    }

    private final IllegalStateException down = new IllegalStateException("down");
    private final AtomicInteger calls = new AtomicInteger();

    private String failing(String prompt) {
        calls.incrementAndGet();
        throw down;
    }

    private static ReboundSettings settings() {
        return ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false).build();
    }

    @Test
    void aTypeLevelRetryAppliesToAMethodInheritedFromAnUnannotatedInterface() {
        Chat chat = Rebound.wrap(Chat.class, (Chat) this::failing).settings(settings()).build();
        Throwable thrown = catchThrowable(() -> chat.apply("x"));
        assertThat(thrown).isSameAs(down);
        assertThat(calls).hasValue(3);
    }

    @Test
    void aTypeLevelRetryAppliesWhenTheTargetClassImplementsOnlyTheSuperInterfaceMethod() {
        class Impl implements Chat {
            @Override
            public String apply(String prompt) {
                return failing(prompt);
            }
        }
        Chat chat = Rebound.wrap(Chat.class, new Impl()).settings(settings()).build();
        assertThat(catchThrowable(() -> chat.apply("x"))).isSameAs(down);
        assertThat(calls).hasValue(3);
    }

    @Test
    void theNearestTypeLevelPolicyWins() {
        ShortChat chat = Rebound.wrap(ShortChat.class, (ShortChat) this::failing).settings(settings()).build();
        assertThat(catchThrowable(() -> chat.apply("x"))).isSameAs(down);
        assertThat(calls).hasValue(2);
    }

    @Test
    void aMethodLevelPolicyOnTheSuperInterfaceWinsOverTheTypeLevelOne() {
        AsksOnce asks = Rebound.wrap(AsksOnce.class, (AsksOnce) this::failing).settings(settings()).build();
        assertThat(catchThrowable(() -> asks.ask("x"))).isSameAs(down);
        assertThat(calls).hasValue(1);
    }

    @Test
    void twoSuperTypesWhosePoliciesDifferAreAConfigurationError() {
        Throwable thrown = catchThrowable(() -> Rebound.wrap(Ambiguous.class, (Ambiguous) this::failing)
                .settings(settings()).build());
        assertThat(thrown).isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("apply(Object)").hasMessageContaining("@Retry differs between Chat and TwiceChat");
    }

    @Test
    void aTypeLevelPolicyOnTheWrappedTypeSettlesTwoSuperTypes() {
        Settled chat = Rebound.wrap(Settled.class, (Settled) this::failing).settings(settings()).build();
        assertThat(catchThrowable(() -> chat.apply("x"))).isSameAs(down);
        assertThat(calls).hasValue(4);
    }

    @Test
    void aBadTypeLevelPolicyOnAnInheritedMethodFailsAtBuildNamingTheTypeAndTheAttribute() {
        Throwable thrown = catchThrowable(() -> Rebound.wrap(BadChat.class, (BadChat) this::failing)
                .settings(settings()).build());
        assertThat(thrown).isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("BadChat.apply(Object)").hasMessageContaining("@Retry.attempts");
    }

    @Test
    void aTypeLevelFallbackAppliesToAnInheritedMethod() {
        GuardedChat chat = Rebound.wrap(GuardedChat.class, (GuardedChat) this::failing).settings(settings()).build();
        assertThat(chat.apply("x")).isEqualTo("backup");
        assertThat(calls).hasValue(1);
    }

    @Test
    void aTypeLevelPolicyThatCannotActOnAnInheritedMethodIsRefusedAtBuildNamingTheType() {
        Throwable thrown = catchThrowable(() -> Rebound.wrap(Limited.class, (Limited) p -> null)
                .settings(settings()).build());
        assertThat(thrown).isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("Limited.chat(String): @RateLimit cannot act on a method returning a "
                        + "CompletionStage");
    }
}
