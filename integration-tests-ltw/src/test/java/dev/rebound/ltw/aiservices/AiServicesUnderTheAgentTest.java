package dev.rebound.ltw.aiservices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.langchain4j.RetryAfterHttpClientBuilder;
import dev.rebound.runtime.testing.VirtualTimeSource;
import dev.rebound.weaver.Woven;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/guides/langchain4j.md's stateless assistant, its interfaces package-private as the guide writes them, in an
 * application started with the agent and rebound-weaver's aop.xml as it ships: real AiServices over loopback HTTP
 * to the model server. AiServices' proxies are defined in this package, where the agent sees them; they are not
 * woven, so {@code Rebound.wrap} applies the policy, with its settings. A JVM of its own (the pom's aiservices run).
 */
class AiServicesUnderTheAgentTest {

    // docs/guides/langchain4j.md, snippet langchain4j-aiservices-interfaces
    interface Assistant {
        @Retry(attempts = 2)
        @Fallback(to = BackupAssistant.class)
        String answer(String question);
    }

    interface BackupAssistant extends Assistant {}   // inherits the @Retry

    /** The same assistant with a retry alone. */
    interface RetryingAssistant {
        @Retry(attempts = 2, delay = 100, jitter = false)
        String answer(String question);
    }

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();

    static ChatModel openAi(String model) {
        return OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key").modelName(model)
                .maxRetries(0).httpClientBuilder(RetryAfterHttpClientBuilder.create()).build();
    }

    @Test
    void theGuidesStatelessAssistantRetriesTwiceThenAnswersFromTheBackup() {
        server.always("gpt-4", Fault.unavailable());
        VirtualTimeSource clock = new VirtualTimeSource();
        ChatModel gpt4 = openAi("gpt-4");
        ChatModel gpt35 = openAi("gpt-3.5-turbo");
        Assistant primary = AiServices.create(Assistant.class, gpt4);

        // docs/guides/langchain4j.md, snippet langchain4j-aiservices (with the test's clock)
        ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false)
                .alternatives(type -> AiServices.create(type, gpt35)).build();
        Assistant assistant = Rebound.wrap(Assistant.class, primary).settings(settings).build();
        String answer = assistant.answer("What is retry?");

        assertThat(primary.getClass().getPackageName()).isEqualTo(Assistant.class.getPackageName());
        assertThat(primary).isNotInstanceOf(Woven.class);
        assertThat(answer).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", "What is retry?"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
        assertThat(clock.sleeps()).hasSize(1);
    }

    @Test
    void aWrappedAssistantWaitsOnTheClockGivenToItsWrapper() {
        server.always("gpt-4", Fault.unavailable());
        VirtualTimeSource wrappersClock = new VirtualTimeSource();
        VirtualTimeSource globalClock = new VirtualTimeSource(); // so that nothing really sleeps, whatever happens
        ReboundSettings before = ReboundSettings.global();
        ReboundSettings.setGlobal(before.toBuilder().timeSource(globalClock).build());
        try {
            ReboundSettings settings = ReboundSettings.builder().timeSource(wrappersClock).logging(false).build();
            RetryingAssistant assistant = Rebound.wrap(RetryingAssistant.class,
                    AiServices.create(RetryingAssistant.class, openAi("gpt-4"))).settings(settings).build();

            Throwable thrown = catchThrowable(() -> assistant.answer("What is retry?"));

            assertThat(thrown).isInstanceOf(InternalServerException.class);
            assertThat(server.requests("gpt-4")).isEqualTo(2);
            assertThat(wrappersClock.sleeps()).containsExactly(Duration.ofMillis(100));
            assertThat(globalClock.sleeps()).isEmpty();
        } finally {
            ReboundSettings.setGlobal(before);
        }
    }
}
