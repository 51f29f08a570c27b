package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.ChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    private static ModelServer server;

    @BeforeAll
    static void start() {
        server = ModelServer.start();
        openAi(server, "warm-up").chat("warm up the client and the server");
        server.reset();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

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
}
