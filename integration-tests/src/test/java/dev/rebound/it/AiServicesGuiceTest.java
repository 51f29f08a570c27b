package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Provides;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.langchain4j.RetryAfterHttpClientBuilder;
import dev.rebound.runtime.testing.VirtualTimeSource;
import dev.rebound.weaver.guice.ReboundModule;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The user's annotated assistant interface, served by langchain4j's AiServices and provided by a
 * Guice {@code @Provides} method: ReboundModule.wrapping applies @Retry/@Fallback to the proxy, with
 * the fallback assistant taken from the injector. Real HTTP to the embedded model server.
 */
class AiServicesGuiceTest {

    interface Assistant {
        @Retry(attempts = 2, delay = 100, jitter = false)
        @Fallback(to = BackupAssistant.class)
        String answer(String question);
    }

    /** The fallback: another AiServices proxy, on gpt-3.5-turbo. */
    interface BackupAssistant extends Assistant {
    }

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();

    static ChatModel openAi(String model) {
        return OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key").modelName(model)
                .maxRetries(0).httpClientBuilder(RetryAfterHttpClientBuilder.create()).build();
    }

    /** The user's module, unaware of Rebound. */
    static final class Assistants extends AbstractModule {
        @Provides
        Assistant assistant() {
            return AiServices.create(Assistant.class, openAi("gpt-4"));
        }

        @Provides
        BackupAssistant backup() {
            return AiServices.create(BackupAssistant.class, openAi("gpt-3.5-turbo"));
        }
    }

    @Test
    void providesOfAnAiServicesProxyGetsTheInterfacesRetryAndFallback() {
        server.reset();
        server.always("gpt-4", Fault.unavailable());
        server.script("gpt-3.5-turbo", Fault.rateLimited(Duration.ofMillis(700)));
        VirtualTimeSource clock = new VirtualTimeSource();
        List<ReboundEvent> events = new CopyOnWriteArrayList<>();
        ReboundSettings settings = ReboundSettings.builder().timeSource(clock).logging(false)
                .listener(events::add).build();

        Assistant assistant = Guice.createInjector(ReboundModule.wrapping(settings, new Assistants()))
                .getInstance(Assistant.class);
        String answer = assistant.answer("What is retry?");

        assertThat(answer).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", "What is retry?"));
        assertThat(server.requests("gpt-4")).isEqualTo(2);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(2);
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(700));
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.FALLBACK).hasSize(1);
    }

    interface SelfRetryingAssistant {
        @Retry(attempts = 2, delay = 100, jitter = false)
        String answer(String question);
    }

    @Test
    void theGuiceDoorWarnsOnceWhenTheModelBehindAProvidedProxyRetriesByItself() {
        String log = StdErr.during(() -> {
            SelfRetryingAssistant assistant = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
                @Provides
                SelfRetryingAssistant assistant() {
                    ChatModel retrying = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("test-key")
                            .modelName("gpt-4").maxRetries(2).build();
                    return AiServices.create(SelfRetryingAssistant.class, retrying);
                }
            })).getInstance(SelfRetryingAssistant.class);
            assertThat(assistant).isNotNull();
        });

        assertThat(StdErr.count(log, "ReboundModule(SelfRetryingAssistant): the model behind this AiServices proxy "
                + "has its own retries on (maxRetries = 2)")).isEqualTo(1);
        assertThat(log).doesNotContain("test-key");
    }
}
