package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.PrivateModule;
import com.google.inject.name.Names;
import dev.rebound.it.plain.HttpChat;
import dev.rebound.it.plain.generated.GuardedChat;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * the documented shape (a PrivateModule per provider binding @Named(p) GuardedChat to HttpChat), or a child
 * module per provider, in child injectors created after the parent that installs ReboundModule. openai is down;
 * anthropic blips once. Either anthropic keeps a breaker of its own in the fleet, or a WARN says the two share one.
 */
class ChildInjectorFleetKeysTest extends VirtualTime {

    private static final String HTTP_CHAT = GuardedChat.class.getName() + ".chat(java.lang.String)/"
            + HttpChat.class.getName();

    private static PrivateModule provider(String name) {
        return GuiceFleetKeysTest.provider(name);
    }

    /** A provider's private module whose client is an eager singleton: made while its child injector is created. */
    private static PrivateModule eagerProvider(String name) {
        return new PrivateModule() {
            @Override
            protected void configure() {
                bindConstant().annotatedWith(Names.named("provider")).to(name);
                bind(GuardedChat.class).annotatedWith(Names.named(name)).to(HttpChat.class).asEagerSingleton();
                expose(GuardedChat.class).annotatedWith(Names.named(name));
            }
        };
    }

    /**
     * The parent installs ReboundModule alone; the providers' private modules are in one child injector, or in a child
     * each, both made before either is used (or with eager singletons, made while each child is created). openai is
     * down, anthropic blips once: anthropic keeps a breaker of its own in the fleet, named by its qualifier (both were
     * named HttpChat and keyed alike: openai's outage opened anthropic's breaker, with no WARN).
     */
    @ParameterizedTest
    @ValueSource(strings = {"one-child-two-private-modules", "two-children", "two-children-eager-singletons"})
    void eachProviderInAChildInjectorKeepsItsOwnNamedFleetBreaker(String shape) {
        HttpChat.CALLS.clear();
        GuiceFleetKeysTest.SharingStore store = new GuiceFleetKeysTest.SharingStore();
        // settings of its own: a fresh store, so no other test's wrappers count
        ReboundSettings settings = ReboundSettings.global().toBuilder().rateLimitStore(store).build();
        String log = StdErr.during(() -> {
            Injector parent = Guice.createInjector(new ReboundModule(settings));
            Injector openaiInjector;
            Injector anthropicInjector;
            if (shape.equals("two-children")) {
                openaiInjector = parent.createChildInjector(provider("openai"));
                anthropicInjector = parent.createChildInjector(provider("anthropic"));
            } else if (shape.equals("two-children-eager-singletons")) {
                openaiInjector = parent.createChildInjector(eagerProvider("openai"));
                anthropicInjector = parent.createChildInjector(eagerProvider("anthropic"));
            } else {
                openaiInjector = anthropicInjector = parent.createChildInjector(provider("openai"),
                        provider("anthropic"));
            }
            GuardedChat openai = openaiInjector.getInstance(Key.get(GuardedChat.class, Names.named("openai")));
            GuardedChat anthropic = anthropicInjector.getInstance(Key.get(GuardedChat.class, Names.named("anthropic")));
            assertThat(catchThrowable(() -> openai.chat("q"))).hasMessage("openai down");
            assertThat(catchThrowable(() -> openai.chat("q"))).hasMessage("openai down"); // openai's breaker opens
            assertThat(catchThrowable(() -> anthropic.chat("q"))).hasMessage("anthropic blip");
            assertThat(anthropic.chat("q")).isEqualTo("anthropic: q");
        });

        assertThat(HttpChat.CALLS.get("anthropic")).hasValue(2);
        assertThat(store.open.keySet()).containsExactly(HTTP_CHAT + "@com.google.inject.name.Named(openai)");
        assertThat(store.asked).contains(HTTP_CHAT + "@com.google.inject.name.Named(anthropic)");
        assertThat(events.stream().map(ReboundEvent::target).distinct())
                .containsExactlyInAnyOrder("HttpChat@Named(openai)", "HttpChat@Named(anthropic)");
        assertThat(log.lines().filter(l -> l.contains(" WARN ") && !l.contains("failed for good")
                && !l.contains("circuit opened"))).isEmpty();
    }

    /**
     * Two children that each bind the class without a qualifier, as before: nothing names them, so their breakers
     * share the class's key in the fleet, said once (each child's interception is filed, not only the last heard).
     */
    @Test
    void twoChildrenInterceptingOneClassWithoutAQualifierAreSaidToShareItsFleetBreaker() {
        GuiceFleetKeysTest.SharingStore store = new GuiceFleetKeysTest.SharingStore();
        ReboundSettings settings = ReboundSettings.global().toBuilder().rateLimitStore(store).build();
        String log = StdErr.during(() -> {
            Injector parent = Guice.createInjector(new ReboundModule(settings));
            List<Injector> children = List.of("openai", "anthropic").stream()
                    .map(p -> parent.createChildInjector(binder -> {
                        binder.bindConstant().annotatedWith(Names.named("provider")).to(p);
                        binder.bind(GuardedChat.class).to(HttpChat.class);
                    })).toList();
            children.forEach(child -> assertThat(child.getInstance(GuardedChat.class)).isNotNull());
        });

        assertThat(log.lines().filter(l -> l.contains("fleet-wide"))).singleElement().asString()
                .contains("WARN dev.rebound - ReboundModule(HttpChat): another wrapper built without a name (or class"
                        + " an injector intercepts) shares the fleet-wide circuit breaker of "
                        + GuardedChat.class.getName() + ".chat(java.lang.String) on " + HttpChat.class.getName());
    }

    /**
     * A child injector per request, whose class is intercepted but never provided, then dropped: nothing of Rebound's
     * keeps it (the interception waiting to be named held the child's injector until an instance was provided).
     */
    @Test
    void aDroppedChildInjectorWhoseInterceptedClassWasNeverProvidedIsCollected() {
        Injector parent = Guice.createInjector(new ReboundModule(ReboundSettings.global()));
        java.lang.ref.WeakReference<Injector> last = null;
        for (int i = 0; i < 20; i++) {
            Injector child = parent.createChildInjector(provider("p" + i));
            assertThat(child.getExistingBinding(Key.get(GuardedChat.class, Names.named("p" + i)))).isNotNull();
            last = new java.lang.ref.WeakReference<>(child);
        }
        for (int i = 0; i < 50 && last.get() != null; i++) {
            System.gc();
        }

        assertThat(last.get()).as("the last dropped child injector, after GC").isNull();
    }
}
