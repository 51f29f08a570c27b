package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Binding;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.PrivateModule;
import com.google.inject.TypeLiteral;
import com.google.inject.matcher.AbstractMatcher;
import com.google.inject.matcher.Matchers;
import com.google.inject.name.Names;
import com.google.inject.spi.ProvisionListener;
import com.google.inject.spi.TypeEncounter;
import com.google.inject.spi.TypeListener;
import dev.rebound.it.plain.CannedFallbackHttpChat;
import dev.rebound.it.plain.HttpChat;
import dev.rebound.it.plain.RateLimitedHttpChat;
import dev.rebound.it.plain.generated.GuardedChat;
import dev.rebound.runtime.CircuitBreakerOpenException;
import dev.rebound.runtime.RateLimitPolicy;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

    /** A child module per provider binding @Named(p) GuardedChat to CannedFallbackHttpChat, which the child constructs. */
    private static Module fallingBackProvider(String name) {
        return binder -> {
            binder.bindConstant().annotatedWith(Names.named("provider")).to(name);
            binder.bind(CannedFallbackHttpChat.class);
            binder.bind(GuardedChat.class).annotatedWith(Names.named(name)).to(CannedFallbackHttpChat.class);
        };
    }

    /**
     * A child per provider whose class falls back (@Fallback.to): named at its first provision as one without, its
     * alternative resolved anew with the provider the child gave it as it heard the class (the child's encounter,
     * asked again after it was heard, threw, and the class was left neither named nor said to share its breaker:
     * openai's outage opened anthropic's breaker in the fleet, with no WARN).
     */
    @Test
    void eachProviderInAChildInjectorWhoseClassFallsBackKeepsItsOwnNamedFleetBreaker() {
        HttpChat.CALLS.clear();
        GuiceFleetKeysTest.SharingStore store = new GuiceFleetKeysTest.SharingStore();
        ReboundSettings settings = ReboundSettings.global().toBuilder().rateLimitStore(store).build();
        List<String> answers = new ArrayList<>();
        String log = StdErr.during(() -> {
            Injector parent = Guice.createInjector(new ReboundModule(settings));
            Injector openaiInjector = parent.createChildInjector(fallingBackProvider("openai"));
            Injector anthropicInjector = parent.createChildInjector(fallingBackProvider("anthropic"));
            GuardedChat openai = openaiInjector.getInstance(Key.get(GuardedChat.class, Names.named("openai")));
            GuardedChat anthropic = anthropicInjector.getInstance(Key.get(GuardedChat.class, Names.named("anthropic")));
            answers.add(openai.chat("q"));
            answers.add(openai.chat("q")); // openai's breaker opens
            answers.add(anthropic.chat("q")); // its blip falls back
            answers.add(anthropic.chat("q"));
        });

        String target = GuardedChat.class.getName() + ".chat(java.lang.String)/" + CannedFallbackHttpChat.class.getName();
        assertThat(answers).containsExactly("canned", "canned", "canned", "anthropic: q");
        assertThat(HttpChat.CALLS.get("anthropic")).hasValue(2);
        assertThat(store.open.keySet()).containsExactly(target + "@com.google.inject.name.Named(openai)");
        assertThat(events.stream().map(ReboundEvent::target).filter(t -> t.startsWith("CannedFallbackHttpChat"))
                .distinct()).containsExactlyInAnyOrder("CannedFallbackHttpChat@Named(openai)",
                        "CannedFallbackHttpChat@Named(anthropic)");
        assertThat(log.lines().filter(l -> l.contains("fleet-wide") || l.contains("intercepts once for all")
                || l.contains("cannot be named"))).isEmpty();
    }

    /**
     * A class its one qualified binding cannot name (its policies, resolved again under that name at its first
     * provision, define a rate-limit key that the global settings brought since define otherwise): said, naming the
     * binding and the problem, and kept with the unnamed breakers of the fleet, so that two children that share the
     * class's breaker there are said too (it was left unnamed, with nothing said, and filed nowhere).
     */
    @Test
    void aClassItsBindingCannotNameIsSaidAndFiledWithTheFleetsUnnamedBreakers() {
        GuiceFleetKeysTest.SharingStore store = new GuiceFleetKeysTest.SharingStore();
        ReboundSettings onTheStore = ReboundSettings.global().toBuilder().rateLimitStore(store).build();
        String log = StdErr.during(() -> {
            Injector parent = Guice.createInjector(new ReboundModule());
            List<Injector> children = List.of("openai", "anthropic").stream()
                    .map(p -> parent.createChildInjector(binder -> {
                        binder.bindConstant().annotatedWith(Names.named("provider")).to(p);
                        binder.bind(GuardedChat.class).annotatedWith(Names.named(p)).to(RateLimitedHttpChat.class);
                    })).toList();
            Rebound.wrap(GuardedChat.class, prompt -> prompt).settings(onTheStore).withRateLimit(RateLimitPolicy
                    .builder().key(RateLimitedHttpChat.KEY).requestsPerMinute(30).build()).build();
            ReboundSettings.setGlobal(onTheStore);
            for (int i = 0; i < 2; i++) {
                GuardedChat chat = children.get(i).getInstance(Key.get(GuardedChat.class,
                        Names.named(i == 0 ? "openai" : "anthropic")));
                assertThat(chat.chat("q")).endsWith(": q");
            }
        });

        assertThat(log.lines().filter(l -> l.contains("cannot be named"))).hasSize(2).first().asString().endsWith(
                "WARN dev.rebound - ReboundModule(RateLimitedHttpChat): the binding GuardedChat@Named(openai) leads to"
                + " RateLimitedHttpChat, but its policies cannot be named by it (RateLimitedHttpChat.chat(String):"
                + " @RateLimit.key names rate limit \"" + RateLimitedHttpChat.KEY + "\" (requestsPerMinute 30,"
                + " tokensPerMinute 0) with requestsPerMinute 60, tokensPerMinute 0; every method naming a rate limit"
                + " key must give it the same limits): events name it RateLimitedHttpChat, and its circuit breakers"
                + " are the class's in the fleet");
        assertThat(log.lines().filter(l -> l.contains("fleet-wide"))).singleElement().asString()
                .contains("ReboundModule(RateLimitedHttpChat): another wrapper built without a name (or class an"
                        + " injector intercepts) shares the fleet-wide circuit breaker of " + GuardedChat.class.getName()
                        + ".chat(java.lang.String) on " + RateLimitedHttpChat.class.getName());
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
     * A child's qualified binding that leads to a class its parent constructs (everything HttpChat needs is bound in
     * the parent, so Guice makes it just in time there, once, for every injector that asks): each child reaches the
     * parent's one interception, with its one breaker, named and keyed by the parent's bindings alone. openai is down:
     * two failures through the first child's binding open the breaker, which then refuses the call through the second
     * child's binding (or the parent's own, or the first child's again) without calling HttpChat.
     */
    @ParameterizedTest
    @ValueSource(strings = {"one-child", "two-children", "parent-route-too"})
    void aChildsQualifiedBindingToAClassItsParentConstructsRunsTheParentsInterceptionNamedByTheParentAlone(String shape) {
        HttpChat.CALLS.clear();
        GuiceFleetKeysTest.SharingStore store = new GuiceFleetKeysTest.SharingStore();
        ReboundSettings settings = ReboundSettings.global().toBuilder().rateLimitStore(store).build();
        boolean parentRoute = shape.equals("parent-route-too");
        String log = StdErr.during(() -> {
            Injector parent = Guice.createInjector(new ReboundModule(settings), binder -> {
                binder.bindConstant().annotatedWith(Names.named("provider")).to("openai");
                if (parentRoute) {
                    binder.bind(GuardedChat.class).annotatedWith(Names.named("eu")).to(HttpChat.class);
                }
            });
            Injector child = linking(parent, "a");
            GuardedChat first = child.getInstance(chat("a"));
            GuardedChat second = switch (shape) {
                case "two-children" -> linking(parent, "b").getInstance(chat("b"));
                case "parent-route-too" -> parent.getInstance(chat("eu"));
                default -> child.getInstance(chat("a"));
            };
            assertThat(catchThrowable(() -> first.chat("q"))).hasMessage("openai down");
            assertThat(catchThrowable(() -> first.chat("q"))).hasMessage("openai down");
            assertThat(catchThrowable(() -> second.chat("q"))).isInstanceOf(CircuitBreakerOpenException.class);
        });

        String name = parentRoute ? "HttpChat@Named(eu)" : "HttpChat";
        String key = HTTP_CHAT + (parentRoute ? "@com.google.inject.name.Named(eu)" : "");
        assertThat(HttpChat.CALLS.get("openai")).hasValue(2);
        assertThat(events.stream().map(ReboundEvent::target).distinct()).containsExactly(name);
        assertThat(store.open.keySet()).containsExactly(key);
        assertThat(log.lines().filter(l -> l.contains(" WARN ") && !l.contains("failed for good")
                && !l.contains("circuit opened"))).isEmpty();
    }

    /** A child injector of {@code parent} whose only binding links {@code GuardedChat @Named(name)} to HttpChat. */
    private static Injector linking(Injector parent, String name) {
        return parent.createChildInjector(binder -> binder.bind(chat(name)).to(HttpChat.class));
    }

    private static Key<GuardedChat> chat(String name) {
        return Key.get(GuardedChat.class, Names.named(name));
    }

    /**
     * Why no qualifier of a child names the class its parent constructs, and no WARN says that two children share it:
     * Guice runs none of the parent's hooks for a child's linked binding. A second child linked to the class the
     * parent made for the first reaches no type listener and no provision-listener matcher of the parent's while it
     * is created, and its instance is provided by the parent's binding, which names neither the child nor its key.
     */
    @Test
    void guiceTellsTheParentNothingOfAChildsLinkedBindingToAClassTheParentConstructs() {
        List<String> heard = new CopyOnWriteArrayList<>();
        List<Binding<?>> provided = new CopyOnWriteArrayList<>();
        Injector parent = Guice.createInjector(new ReboundModule(ReboundSettings.global()), binder -> {
            binder.bindConstant().annotatedWith(Names.named("provider")).to("anthropic");
            binder.bindListener(Matchers.any(), new TypeListener() {
                @Override
                public <I> void hear(TypeLiteral<I> type, TypeEncounter<I> encounter) {
                    heard.add("heard " + type);
                }
            });
            binder.bindListener(new AbstractMatcher<Binding<?>>() {
                @Override
                public boolean matches(Binding<?> binding) {
                    heard.add("matched " + binding.getKey());
                    return true;
                }
            }, new ProvisionListener() {
                @Override
                public <T> void onProvision(ProvisionInvocation<T> provision) {
                    provided.add(provision.getBinding());
                }
            });
        });
        assertThat(linking(parent, "a").getInstance(chat("a"))).isNotNull();
        heard.clear();
        provided.clear();

        Injector second = linking(parent, "b");
        assertThat(heard).as("the parent's listeners while the second child is created").isEmpty();
        assertThat(second.getInstance(chat("b"))).isNotNull();

        assertThat(heard).isEmpty();
        assertThat(provided).singleElement().isSameAs(parent.getExistingBinding(Key.get(HttpChat.class)));
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
