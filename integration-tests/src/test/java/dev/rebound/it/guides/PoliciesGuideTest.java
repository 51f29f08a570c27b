package dev.rebound.it.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.NonIdempotent;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.net.ConnectException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The examples of docs/guides/policies.md, run through Rebound.wrap (the doors share the resolution). */
public class PoliciesGuideTest {

    // docs:policies-outage
    public interface ChatClient {
        @Retry(attempts = 3, budgetRatio = 0.2)        // retries <= 20% of calls (+10 per 10 s), per interface
        @CircuitBreaker(delay = 30, unit = TimeUnit.SECONDS)
        @Fallback(to = LocalModelClient.class)
        String chat(String prompt);
    }
    // /docs:policies-outage

    /** The fallback of the outage example. */
    public static class LocalModelClient implements ChatClient {
        static final AtomicInteger CALLS = new AtomicInteger();

        @Override
        public String chat(String prompt) {
            CALLS.incrementAndGet();
            return "local: " + prompt;
        }
    }

    // docs:policies-non-idempotent
    public interface Mailer {
        @NonIdempotent
        @Retry(attempts = 3, on = ConnectException.class)   // refused before anything was sent: safe to repeat
        void send(String to, String body);
    }
    // /docs:policies-non-idempotent

    /** The same method with a blind retry: refused by the build (skipped here) and when the policy is resolved. */
    @SuppressWarnings("rebound")
    public interface CarelessMailer {
        @NonIdempotent
        @Retry(attempts = 3)
        void send(String to, String body);
    }

    private final VirtualTimeSource clock = new VirtualTimeSource();
    private final List<ReboundEvent> events = new CopyOnWriteArrayList<>();
    private final ReboundSettings settings = ReboundSettings.builder().timeSource(clock).listener(events::add).build();

    @Test
    void theAnnotatedBreakerOpensOnADeadPrimaryAndTheFallbackAnswers() {
        AtomicInteger primary = new AtomicInteger();
        ChatClient dead = prompt -> {
            primary.incrementAndGet();
            throw new IllegalStateException("503");
        };
        ChatClient llm = Rebound.wrap(ChatClient.class, dead).settings(settings).build();
        LocalModelClient.CALLS.set(0);

        for (int i = 0; i < 50; i++) {
            assertThat(llm.chat("q")).isEqualTo("local: q");
        }
        assertThat(LocalModelClient.CALLS).hasValue(50);
        assertThat(primary.get()).isBetween(20, 30);
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED).hasSize(1);
    }

    @Test
    void aNonIdempotentMethodRetriesOnlyTheFailuresItNames() {
        AtomicInteger sent = new AtomicInteger();
        Mailer refusing = (to, body) -> {
            sent.incrementAndGet();
            throw new UncheckedIOException(new java.io.IOException("timeout after the request was sent"));
        };
        Mailer mailer = Rebound.wrap(Mailer.class, refusing).settings(settings).build();

        assertThatThrownBy(() -> mailer.send("a@example.com", "hi")).isInstanceOf(UncheckedIOException.class);
        assertThat(sent).hasValue(1);
        assertThatThrownBy(() -> Rebound.wrap(CarelessMailer.class, (to, body) -> { }).build())
                .isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("CarelessMailer.send");
    }
}
