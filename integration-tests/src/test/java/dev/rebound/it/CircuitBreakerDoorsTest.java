package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.plain.PlainGuardedChat;
import dev.rebound.it.woven.GuardedChat;
import dev.rebound.runtime.CircuitBreakerOpenException;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.guice.ReboundModule;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * @CircuitBreaker and the @Retry budget through the AspectJ and Guice doors: the same engine, so
 * the same figures as through Rebound.wrap. Each door's breaker lives in the policy it resolved
 * once for the method and class, so each test uses classes no other test calls.
 */
class CircuitBreakerDoorsTest extends VirtualTime {

    /** The script both doors must follow, on the primary's "chat" and "ask". */
    private void breakerAndBudget(Function<String, String> chat, Function<String, String> ask) {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);

        // call 1: attempts 1 and 2 fill the window of 2 and open the breaker; no attempt 3
        assertThat(chat.apply("a")).isEqualTo("local: a");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "local #1");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(10));

        // open: the primary is not called, the fallback gets the refusal as cause, nothing is waited
        assertThat(chat.apply("b")).isEqualTo("local: b");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "local #1", "local #2");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).toList()).last()
                .satisfies(e -> assertThat(e.failure()).isInstanceOf(CircuitBreakerOpenException.class));
        assertThat(clock.sleeps()).hasSize(1);

        // after the delay one probe goes through; it answers and closes the breaker
        FakeLlm.failFirst("gpt-4", 2);
        clock.advance(Duration.ofSeconds(1));
        assertThat(chat.apply("c")).isEqualTo("gpt-4: c");
        assertThat(chat.apply("d")).isEqualTo("gpt-4: d");
        assertThat(events.stream().map(ReboundEvent::kind).filter(k -> k.name().startsWith("CIRCUIT_")).toList())
                .containsExactly(ReboundEvent.Kind.CIRCUIT_OPENED, ReboundEvent.Kind.CIRCUIT_HALF_OPEN,
                        ReboundEvent.Kind.CIRCUIT_CLOSED);

        // the budget (0.4 of the calls, no minimum): calls 1 and 2 of "ask" are not retried, call 3 is
        FakeLlm.reset();
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        for (int i = 0; i < 3; i++) {
            assertThat(ask.apply("q")).isEqualTo("local: q");
        }
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "local #1", "gpt-4 #2", "local #2", "gpt-4 #3",
                "gpt-4 #4", "local #3");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.RETRIES_EXHAUSTED)
                .map(ReboundEvent::reason).toList()).endsWith("budget", "budget", "attempts");
    }

    @Test
    void theAspectAppliesTheBreakerAndTheBudget() {
        GuardedChat chat = new GuardedChat.Gpt4();
        assertThat(chat).isInstanceOf(Woven.class);

        breakerAndBudget(chat::chat, chat::ask);
    }

    @Test
    void guiceAppliesTheBreakerAndTheBudget() {
        PlainGuardedChat chat = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainGuardedChat.class).to(PlainGuardedChat.Gpt4.class);
            }
        }).getInstance(PlainGuardedChat.class);
        assertThat(chat).isNotInstanceOf(Woven.class);

        breakerAndBudget(chat::chat, chat::ask);
    }
}
