package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.service.AiServices;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
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

    /** An assistant without policies: the application puts them on its ChatModel, as the guide advises. */
    interface PlainAssistant {
        String answer(String question);
    }

    @Test
    void aProvidedAssistantWithoutPoliciesIsProvidedAsItIsWithNoWordOfAProxyThatHidesItsClass() {
        server.reset();
        String log = StdErr.during(() -> {
            PlainAssistant assistant = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
                @Provides
                PlainAssistant assistant() {
                    return AiServices.create(PlainAssistant.class, openAi("gpt-4"));
                }
            })).getInstance(PlainAssistant.class);

            assertThat(Rebound.isResilient(assistant)).isFalse();
            assertThat(assistant.answer("What is retry?")).isEqualTo(ModelServer.answerFor("gpt-4", "What is retry?"));
        });

        assertThat(log).doesNotContain("WARN");
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

    /**
     * llm-failures.md section 7: a fallback's model is seen. The injector provides the backup assistant on a
     * model with langchain4j's default retries: said once, when the fallback first resolves it.
     */
    @Test
    void aProvidedBackupAssistantWhoseModelRetriesByItselfIsWarnedAbout() {
        server.always("gpt-4", Fault.status(400)); // straight to the fallback, no retry, no sleep
        String[] answer = new String[2];
        String log = StdErr.during(() -> {
            Assistant assistant = Guice.createInjector(ReboundModule.wrapping(
                    ReboundSettings.builder().timeSource(new VirtualTimeSource()).build(), new AbstractModule() {
                        @Provides
                        Assistant assistant() {
                            return AiServices.create(Assistant.class, openAi("gpt-4"));
                        }

                        @Provides
                        BackupAssistant backup() {
                            ChatModel selfRetrying = OpenAiChatModel.builder().baseUrl(server.baseUrl())
                                    .apiKey("test-key").modelName("gpt-3.5-turbo").build(); // maxRetries = 2
                            return AiServices.create(BackupAssistant.class, selfRetrying);
                        }
                    })).getInstance(Assistant.class);
            answer[0] = assistant.answer("What is retry?");
            answer[1] = assistant.answer("What is a fallback?");
        });

        assertThat(answer[0]).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", "What is retry?"));
        assertThat(answer[1]).isEqualTo(ModelServer.answerFor("gpt-3.5-turbo", "What is a fallback?"));
        assertThat(StdErr.count(log, "ReboundModule(Assistant) @Fallback.to BackupAssistant: the model behind this"
                + " AiServices proxy has its own retries on (maxRetries = 2)")).isEqualTo(1);
        assertThat(log).doesNotContain("test-key");
    }

    /** The placement the langchain4j guide warns against, through Guice: an assistant with chat memory. */
    @Test
    void aProvidedAssistantWithChatMemoryIsWarnedThatEachAttemptAddsTheQuestionAgain() {
        ChatMemory memory = MessageWindowChatMemory.withMaxMessages(10);
        String log = StdErr.during(() -> Guice.createInjector(ReboundModule.wrapping(
                ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false).build(),
                new AbstractModule() {
                    @Provides
                    @Singleton
                    Assistant assistant() {
                        return AiServices.builder(Assistant.class).chatModel(openAi("gpt-4")).chatMemory(memory)
                                .build();
                    }

                    @Provides
                    BackupAssistant backup() {
                        return AiServices.create(BackupAssistant.class, openAi("gpt-3.5-turbo"));
                    }
                })).getInstance(Assistant.class));

        assertThat(StdErr.count(log, "ReboundModule(Assistant): the policy of Assistant.answer(String) retries or"
                + " falls back from an AiServices assistant, and each attempt calls the whole assistant again: the"
                + " user's message is added to its chat memory again, and sent to the model twice. Put the retry and"
                + " the fallbacks on the ChatModel")).isEqualTo(1);
    }
}
