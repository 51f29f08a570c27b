package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import com.google.inject.name.Names;
import dev.rebound.it.plain.HttpChat;
import dev.rebound.it.plain.generated.GuardedChat;
import dev.rebound.runtime.CircuitBreakerOpenException;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.spi.GeneratedWrapper;
import dev.rebound.weaver.guice.ReboundModule;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An unnamed {@code Rebound.wrap} wrapper with a breaker of its own, over a target that applies policies of its own:
 * the fleet keys its breaker apart from the target's, {@code Rebound.wrap(<the target's key>)}, fully qualified, so
 * the two breakers (other policies) never share an open state (the outer one was keyed as the inner wrapper, by its
 * name: the inner one's opening opened it after one failure, reason fleet; over an intercepted class, by that class's
 * simple name).
 */
class WrapOverResilientFleetKeysTest extends VirtualTime {

    private static final String CHAT = GuardedChat.class.getName() + ".chat(java.lang.String)/";

    @ParameterizedTest
    @ValueSource(strings = {"generated", "jdk-proxy", "intercepted"})
    void anUnnamedWrapperOverAResilientTargetKeepsAFleetBreakerOfItsOwn(String inner) {
        HttpChat.CALLS.clear();
        GuiceFleetKeysTest.SharingStore store = new GuiceFleetKeysTest.SharingStore();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().rateLimitStore(store).build());
        Supplier<GuardedChat> down = () -> GuiceFleetKeysTest.jdkProxy(GuiceFleetKeysTest.down("openai"));
        GuardedChat target = switch (inner) {
            case "generated" -> Rebound.wrap(GuardedChat.class, down.get()).named("gpt-4").build();
            case "jdk-proxy" -> Rebound.wrap(GuardedChat.class, down.get()).named("gpt-4").viaJdkProxy().build();
            default -> Guice.createInjector(new ReboundModule(),
                    b -> b.bindConstant().annotatedWith(Names.named("provider")).to("openai"))
                    .getInstance(HttpChat.class);
        };
        assertThat(target instanceof GeneratedWrapper).isEqualTo(inner.equals("generated"));
        String innerKey = inner.equals("intercepted") ? HttpChat.class.getName() : "gpt-4";
        GuardedChat outer = Rebound.wrap(GuardedChat.class, target).withCircuitBreaker(CircuitBreakerPolicy.builder()
                .requestVolumeThreshold(5).failureRatio(1.0).delay(Duration.ofSeconds(5)).build()).build();

        assertThat(catchThrowable(() -> outer.chat("q"))).hasMessage("openai down");
        assertThat(catchThrowable(() -> outer.chat("q"))).hasMessage("openai down"); // the inner breaker opens
        assertThat(catchThrowable(() -> outer.chat("q"))).isInstanceOf(CircuitBreakerOpenException.class);

        assertThat(store.open.keySet()).containsExactly(CHAT + innerKey);
        assertThat(store.asked.stream().distinct())
                .containsExactlyInAnyOrder(CHAT + innerKey, CHAT + "Rebound.wrap(" + innerKey + ")");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED).map(ReboundEvent::reason))
                .containsExactly("failure-ratio");
    }
}
