package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.model.chat.ChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.AttemptTimeoutException;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, item 5, over real HTTP: gpt-4 answers after 10 s (the HTTP client would wait 30 s); with
 * attemptTimeout 300 ms the first attempt is interrupted (the JDK client cancels the request), and
 * the second, answered at once, is the caller's. Real time is spent only on the one timeout.
 */
class AttemptTimeoutOverHttpTest {

    @RegisterExtension
    static final ModelServerExtension models = LoopbackModels.warmedUp(new ModelServerExtension());
    private static final ModelServer server = models.server();

    @Test
    void aSlowModelsAttemptIsCutAndRetried() {
        server.script("gpt-4", Fault.slowAnswer(Duration.ofSeconds(10)));
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        // docs:llm-attempt-timeout
        ChatModel model = Rebound.wrap(ChatModel.class, openAi(server, "gpt-4", Duration.ofSeconds(30)))
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO)
                        .attemptTimeout(Duration.ofMillis(300))      // each attempt, not the whole call
                        .maxDuration(Duration.ofSeconds(20))
                        .build())
                .settings(ReboundSettings.builder().timeSource(TimeSource.system()).logging(false)
                        .listener(events::add).build())
                .build();
        // /docs:llm-attempt-timeout

        assertThat(model.chat("hello")).isEqualTo(ModelServer.answerFor("gpt-4", "hello"));

        assertThat(server.requests("gpt-4")).isEqualTo(2);
        List<ReboundEvent> failed = events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED).toList();
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).reason()).isEqualTo("timeout");
        assertThat(failed.get(0).failure()).isInstanceOf(AttemptTimeoutException.class);
        assertThat(((AttemptTimeoutException) failed.get(0).failure()).timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}
