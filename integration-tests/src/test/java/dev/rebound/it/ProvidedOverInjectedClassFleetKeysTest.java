package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import dev.rebound.it.plain.OpenAiByDefaultChat;
import dev.rebound.it.plain.SettableChat;
import dev.rebound.it.plain.generated.GuardedChat;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.weaver.guice.ReboundModule;
import dev.rebound.runtime.CircuitBreakerOpenException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A class that qualified {@code @Provides} methods or a {@code toProvider} binding inject and reconfigure per provider
 * (beside, or without, a linked binding to it): Guice intercepts it once for all of them, so they share its breaker.
 * ReboundModule cannot tell the providers apart, so it names the class by no qualifier (anthropic's calls were named
 * {@code OpenAiByDefaultChat@Named(openai)}) and says that the bindings share it (nothing was said).
 */
class ProvidedOverInjectedClassFleetKeysTest extends VirtualTime {

    private static final String CHAT = GuardedChat.class.getName() + ".chat(java.lang.String)/";

    /** Two providers' clients, each an injected SettableChat configured by a @Provides method. */
    static final class TwoProvides extends AbstractModule {
        @Provides
        @Named("openai")
        GuardedChat openai(SettableChat chat) {
            chat.provider = "openai";
            return chat;
        }

        @Provides
        @Named("anthropic")
        GuardedChat anthropic(SettableChat chat) {
            chat.provider = "anthropic";
            return chat;
        }
    }

    /** openai linked to the class (and configured by an @Inject-free default: set below); anthropic by a @Provides. */
    static final class LinkedAndProvides extends AbstractModule {
        @Override
        protected void configure() {
            bind(GuardedChat.class).annotatedWith(Names.named("openai")).to(OpenAiByDefaultChat.class);
        }

        @Provides
        @Named("anthropic")
        GuardedChat anthropic(OpenAiByDefaultChat chat) {
            chat.provider = "anthropic";
            return chat;
        }
    }

    /** anthropic's client through toProvider: the injected openai class, configured for anthropic. */
    static final class AnthropicProvider implements com.google.inject.Provider<GuardedChat> {
        @com.google.inject.Inject
        com.google.inject.Provider<OpenAiByDefaultChat> chats;

        @Override
        public GuardedChat get() {
            OpenAiByDefaultChat chat = chats.get();
            chat.provider = "anthropic";
            return chat;
        }
    }

    static final class LinkedAndToProvider extends AbstractModule {
        @Override
        protected void configure() {
            bind(GuardedChat.class).annotatedWith(Names.named("openai-tp")).to(OpenAiByDefaultChat.class);
            bind(GuardedChat.class).annotatedWith(Names.named("anthropic-tp")).toProvider(AnthropicProvider.class);
        }
    }

    /**
     * Each shape in turn, openai (down) then anthropic (a blip): one interception of the class serves both, so
     * anthropic's call is refused by the shared breaker, named by the class alone in events and in the fleet (never
     * {@code @Named(openai)}), and a WARN says so once per configuration (the wrapping shapes repeat a module shape's).
     */
    @Test
    void providersReboundCannotTellApartShareABreakerNamedByTheClassAloneAndAreSaidOnce() {
        Map<String, Integer> warnsExpected = new LinkedHashMap<>();
        warnsExpected.put("provides:module", 1);
        warnsExpected.put("provides:wrapping", 0);
        warnsExpected.put("linked+provides:module", 1);
        warnsExpected.put("linked+provides:wrapping", 0);
        warnsExpected.put("linked+toProvider:module", 1);
        warnsExpected.forEach((shape, warnings) -> {
            SettableChat.CALLS.clear();
            events.clear();
            GuiceFleetKeysTest.SharingStore store = new GuiceFleetKeysTest.SharingStore();
            // settings of its own: a fresh store, so no other test's wrappers count
            ReboundSettings settings = ReboundSettings.global().toBuilder().rateLimitStore(store).build();
            boolean toProvider = shape.startsWith("linked+toProvider");
            // toProvider's own names: its warning would repeat linked+provides' word for word, said once
            String openaiName = toProvider ? "openai-tp" : "openai";
            Module app = shape.startsWith("provides") ? new TwoProvides()
                    : toProvider ? new LinkedAndToProvider() : new LinkedAndProvides();
            Class<?> impl = shape.startsWith("provides") ? SettableChat.class : OpenAiByDefaultChat.class;
            Throwable[] anthropicFirst = new Throwable[1];
            String log = StdErr.during(() -> {
                Injector injector = shape.endsWith("wrapping")
                        ? Guice.createInjector(ReboundModule.wrapping(settings, app))
                        : Guice.createInjector(new ReboundModule(settings), app);
                GuardedChat openai = injector.getInstance(Key.get(GuardedChat.class, Names.named(openaiName)));
                GuardedChat anthropic = injector.getInstance(Key.get(GuardedChat.class,
                        Names.named(toProvider ? "anthropic-tp" : "anthropic")));
                assertThat(catchThrowable(() -> openai.chat("q"))).hasMessage("openai down");
                assertThat(catchThrowable(() -> openai.chat("q"))).hasMessage("openai down");
                events.clear();
                anthropicFirst[0] = catchThrowable(() -> anthropic.chat("q"));
            });

            assertThat(anthropicFirst[0]).as(shape).isInstanceOf(CircuitBreakerOpenException.class);
            assertThat(events.stream().map(ReboundEvent::target).distinct()).as(shape)
                    .containsExactly(impl.getSimpleName());
            assertThat(store.open.keySet()).as(shape).containsExactly(CHAT + impl.getName());
            assertThat(log.lines().filter(l -> l.contains(" WARN ") && !l.contains("failed for good")
                    && !l.contains("circuit opened"))).as(shape).hasSize(warnings).allSatisfy(l -> assertThat(l)
                    .endsWith("WARN dev.rebound - ReboundModule(" + impl.getSimpleName() + "): GuardedChat.chat(String):"
                            + " the bindings GuardedChat@Named(anthropic" + (toProvider ? "-tp" : "") + ") and"
                            + " GuardedChat@Named(" + openaiName + ") lead to " + impl.getSimpleName()
                            + ", which the injector constructs and intercepts once for all of them: they share its circuit"
                            + " breaker, in the process and in the fleet, and events name each " + impl.getSimpleName()
                            + "; bind " + impl.getSimpleName() + " in a PrivateModule of its own per binding, under a"
                            + " qualifier (bind(...).annotatedWith(Names.named(...)).to(Impl.class), and bind(Impl.class)"
                            + " there), which names its breakers in events and in the fleet"));
        });
    }
}
