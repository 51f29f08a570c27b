package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.ChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.CircuitBreakerOpenException;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chaos and soak 3: the primary model is down (503) for a window of calls. Calls fall back during
 * it and return to the primary after it. The requests the dead primary received are counted: that
 * is the load a circuit breaker or a retry budget would cut.
 */
class OutageTest {

    static final int BEFORE = 40;
    static final int DURING = 40;
    static final int AFTER = 40;
    static final int ATTEMPTS = 3;

    @RegisterExtension
    static final ModelServerExtension models = LoopbackModels.warmedUp(new ModelServerExtension());
    private static final ModelServer server = models.server();

    @Test
    void callsFallBackDuringTheOutageAndReturnToThePrimaryAfterIt() {
        VirtualTimeSource clock = new VirtualTimeSource();
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(ATTEMPTS).delay(Duration.ofMillis(100)).jitter(false).build())
                .withFallbacks(openAi(server, "gpt-3.5-turbo"))
                .settings(ReboundSettings.builder().timeSource(clock).logging(false).build()).build();

        int primaryAnswers = 0;
        int fallbackAnswers = 0;
        int deadPrimaryRequests = 0;
        Duration outageWaits = Duration.ZERO;
        for (int i = 0; i < BEFORE + DURING + AFTER; i++) {
            if (i == BEFORE) {
                server.always("gpt-4", Fault.unavailable());
            } else if (i == BEFORE + DURING) {
                server.script("gpt-4"); // back up: answers again
            }
            boolean down = i >= BEFORE && i < BEFORE + DURING;
            int requestsBefore = server.requests("gpt-4");
            Duration sleptBefore = clock.slept();
            String prompt = "outage question " + i;

            String answer = model.chat(prompt);

            if (answer.equals(ModelServer.answerFor("gpt-4", prompt))) {
                primaryAnswers++;
            } else if (answer.equals(ModelServer.answerFor("gpt-3.5-turbo", prompt))) {
                fallbackAnswers++;
            }
            if (down) {
                deadPrimaryRequests += server.requests("gpt-4") - requestsBefore;
                outageWaits = outageWaits.plus(clock.slept().minus(sleptBefore));
            }
            assertThat(answer).isEqualTo(ModelServer.answerFor(down ? "gpt-3.5-turbo" : "gpt-4", prompt));
        }
        System.out.printf("Outage: gpt-4 down for %d of %d calls; %d answered by gpt-4, %d by gpt-3.5-turbo;"
                + " the dead gpt-4 received %d requests (%d a call) and the calls waited %d ms (virtual) more%n",
                DURING, BEFORE + DURING + AFTER, primaryAnswers, fallbackAnswers, deadPrimaryRequests,
                deadPrimaryRequests / DURING, outageWaits.toMillis());

        assertThat(primaryAnswers).isEqualTo(BEFORE + AFTER);
        assertThat(fallbackAnswers).isEqualTo(DURING);
        assertThat(deadPrimaryRequests).isEqualTo(DURING * ATTEMPTS);
        assertThat(server.requests("gpt-4")).isEqualTo(BEFORE + DURING * ATTEMPTS + AFTER);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(DURING);
        assertThat(outageWaits).isEqualTo(Duration.ofMillis(DURING * (100 + 200)));
    }

    /**
     * The same outage with a circuit breaker of the defaults (window 20, ratio 0.5, 5 s open) and one
     * call per virtual second: the dead primary gets the failures that open the breaker and one probe
     * per opening, instead of 3 requests a call; it is called again within the open delay after it is
     * back.
     */
    @Test
    void theDeadPrimaryGetsAWindowOfFailuresAndOneProbePerOpening() {
        LoopbackModels.Recording rec = new LoopbackModels.Recording();
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4"))
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).jitter(false).build())
                .withCircuitBreaker(CircuitBreakerPolicy.builder().build())
                .withFallbacks(openAi(server, "gpt-3.5-turbo"))
                .settings(rec.settings()).build();

        int deadPrimaryRequests = 0;
        int fallbackAfterOutage = 0;
        int firstPrimaryAnswerAfter = -1;
        for (int i = 0; i < BEFORE + DURING + AFTER; i++) {
            if (i == BEFORE) {
                server.always("gpt-4", Fault.unavailable());
            } else if (i == BEFORE + DURING) {
                server.script("gpt-4"); // back up
            }
            boolean down = i >= BEFORE && i < BEFORE + DURING;
            int requestsBefore = server.requests("gpt-4");
            String prompt = "outage question " + i;

            String answer = model.chat(prompt);

            if (down) {
                deadPrimaryRequests += server.requests("gpt-4") - requestsBefore;
                assertThat(answer).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", prompt));
            } else if (i >= BEFORE + DURING) {
                if (answer.equals(ModelServer.answerFor("gpt-4", prompt))) {
                    firstPrimaryAnswerAfter = firstPrimaryAnswerAfter < 0 ? i - BEFORE - DURING : firstPrimaryAnswerAfter;
                } else {
                    fallbackAfterOutage++;
                }
            }
            rec.clock.advance(Duration.ofSeconds(1)); // the next call comes a second later
        }
        long openings = rec.events.stream().filter(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED).count();
        long refused = rec.events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK
                && e.failure() instanceof CircuitBreakerOpenException).count();
        System.out.printf("Outage with a breaker: gpt-4 down for %d of %d calls (1 call/s); the dead gpt-4 received"
                + " %d requests (%d openings, %d calls refused); after the outage %d calls fell back before gpt-4"
                + " answered again%n", DURING, BEFORE + DURING + AFTER, deadPrimaryRequests, openings, refused,
                fallbackAfterOutage);

        // 10 failed attempts of 20 open it (calls 1-3 of the outage make 3 attempts, call 4 one),
        // then every 5 s one probe, which fails and opens it again
        assertThat(deadPrimaryRequests).isLessThanOrEqualTo(20 + (int) openings).isLessThan(DURING);
        assertThat(openings).isGreaterThan(1);
        assertThat(fallbackAfterOutage).isLessThanOrEqualTo(5);
        assertThat(firstPrimaryAnswerAfter).isEqualTo(fallbackAfterOutage);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(DURING + fallbackAfterOutage);
    }
}
