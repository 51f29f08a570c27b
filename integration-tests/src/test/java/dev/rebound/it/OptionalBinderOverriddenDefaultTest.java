package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.PrivateModule;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Names;
import dev.rebound.it.plain.HttpChat;
import dev.rebound.it.plain.OpenAiByDefaultChat;
import dev.rebound.it.plain.generated.GuardedChat;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each provider's private module gives its OptionalBinder a default that setBinding() overrides (a library's
 * default client replaced by the application's). The overridden default is never provided, so it leads nowhere: no
 * WARN says the two providers share its circuit breaker (one did, telling the user to restructure).
 */
class OptionalBinderOverriddenDefaultTest extends VirtualTime {

    private static PrivateModule provider(String name) {
        return new PrivateModule() {
            @Override
            protected void configure() {
                bindConstant().annotatedWith(Names.named("provider")).to(name);
                Key<GuardedChat> key = Key.get(GuardedChat.class, Names.named(name));
                OptionalBinder.newOptionalBinder(binder(), key).setDefault().to(OpenAiByDefaultChat.class);
                OptionalBinder.newOptionalBinder(binder(), key).setBinding().to(HttpChat.class);
                expose(key);
            }
        };
    }

    @Test
    void anOverriddenDefaultThatIsNeverProvidedIsNotSaidToShareABreaker() {
        HttpChat.CALLS.clear();
        ReboundSettings settings = ReboundSettings.global().toBuilder()
                .rateLimitStore(new GuiceFleetKeysTest.SharingStore()).build();
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(new ReboundModule(settings), provider("openai"),
                    provider("anthropic"));
            for (String p : List.of("openai", "anthropic")) {
                GuardedChat chat = injector.getInstance(Key.get(GuardedChat.class, Names.named(p)));
                assertThat(chat).as(p).isNotInstanceOf(OpenAiByDefaultChat.class); // setBinding() won
                catchThrowable(() -> chat.chat("q"));
            }
        });
        assertThat(log.lines().filter(l -> l.contains("intercepts once for all")).toList())
                .as("WARNs about a class no binding provides (each optional binder's setBinding() overrides it)")
                .isEmpty();
    }
}
