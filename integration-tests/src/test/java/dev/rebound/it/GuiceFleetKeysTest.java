package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.PrivateModule;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Names;
import dev.rebound.it.plain.HttpChat;
import dev.rebound.it.plain.TypedHttpChat;
import dev.rebound.it.plain.generated.GuardedChat;
import dev.rebound.runtime.CircuitBreakerOpenException;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.ratelimit.RateLimitStore;
import dev.rebound.runtime.ratelimit.RateLimiter;
import dev.rebound.runtime.ratelimit.SharedCircuitState;
import dev.rebound.weaver.guice.ReboundModule;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.InvocationHandlerAdapter;
import net.bytebuddy.matcher.ElementMatchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guice's ReboundModule.wrapping in a fleet whose store shares circuit breakers: what it provides under a binding's
 * qualifier keeps a breaker of its own in the fleet, as in the process, and two bindings that would share one are
 * said (real Guice, classes generated as libraries generate them, JDK proxies).
 */
class GuiceFleetKeysTest extends VirtualTime {

    private static final String CHAT = GuardedChat.class.getName() + ".chat(java.lang.String)/";

    /** A fleet store (as Redis shares breakers): an opened breaker's key stays open for every instance. */
    static final class SharingStore implements RateLimitStore, SharedCircuitState {
        final Map<String, Long> open = new ConcurrentHashMap<>();
        final List<String> asked = new CopyOnWriteArrayList<>();
        final RateLimitStore local = RateLimitStore.inProcess();

        @Override
        public RateLimiter limiter(String key, long rpm, long tpm, TimeSource clock) {
            return local.limiter(key, rpm, tpm, clock);
        }

        @Override
        public void close() {
        }

        @Override
        public void opened(String breaker, long openNanos) {
            asked.add(breaker);
            open.put(breaker, openNanos);
        }

        @Override
        public long openRemainingNanos(String breaker) {
            asked.add(breaker);
            return open.getOrDefault(breaker, 0L);
        }
    }

    /** A client a library generates at run time for one provider: ByteBuddy's default name, GuardedChat$ByteBuddy$xyz. */
    static GuardedChat generatedClient(InvocationHandler provider) throws ReflectiveOperationException {
        return new ByteBuddy().subclass(GuardedChat.class)
                .method(ElementMatchers.isAbstract()).intercept(InvocationHandlerAdapter.of(provider))
                .make().load(GuardedChat.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded().getConstructor().newInstance();
    }

    /** A JDK proxy for one provider (as AiServices makes one): one proxy class serves both providers. */
    static GuardedChat jdkProxy(InvocationHandler provider) {
        return (GuardedChat) Proxy.newProxyInstance(GuardedChat.class.getClassLoader(),
                new Class<?>[] {GuardedChat.class}, provider);
    }

    /** The provider that is down. */
    static InvocationHandler down(String name) {
        return (p, m, a) -> {
            throw new IllegalStateException(name + " down");
        };
    }

    /** A provider that fails once, then answers; counting its calls. */
    static InvocationHandler blipOnce(String name, AtomicInteger calls) {
        return (p, m, a) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException(name + " blip");
            }
            return name + ": " + a[0];
        };
    }

    /**
     * openai is down and its breaker opens; anthropic is healthy but for one transient failure: its breaker stays
     * closed, in the fleet too, since each binding's qualifier is in its breaker's key (both clients were keyed by
     * the interface alone, so anthropic's second call found openai's breaker open).
     */
    private void twoProvidersKeepABreakerEach(Function<InvocationHandler, GuardedChat> client) {
        SharingStore store = new SharingStore();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().rateLimitStore(store).build());
        AtomicInteger anthropicCalls = new AtomicInteger();
        GuardedChat openaiClient = client.apply(down("openai"));
        GuardedChat anthropicClient = client.apply(blipOnce("anthropic", anthropicCalls));
        Injector injector = Guice.createInjector(ReboundModule.wrapping(binder -> {
            binder.bind(GuardedChat.class).annotatedWith(Names.named("openai")).toInstance(openaiClient);
            binder.bind(GuardedChat.class).annotatedWith(Names.named("anthropic")).toInstance(anthropicClient);
        }));
        GuardedChat openai = injector.getInstance(Key.get(GuardedChat.class, Names.named("openai")));
        GuardedChat anthropic = injector.getInstance(Key.get(GuardedChat.class, Names.named("anthropic")));

        assertThat(catchThrowable(() -> openai.chat("q"))).hasMessage("openai down");
        assertThat(catchThrowable(() -> openai.chat("q"))).hasMessage("openai down");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED)
                .map(ReboundEvent::target)).containsExactly("GuardedChat@Named(openai)");
        assertThat(catchThrowable(() -> anthropic.chat("q"))).hasMessage("anthropic blip");

        assertThat(anthropic.chat("q")).isEqualTo("anthropic: q");

        assertThat(anthropicCalls).hasValue(2);
        assertThat(store.open.keySet()).containsExactly(CHAT + GuardedChat.class.getName()
                + "@com.google.inject.name.Named(openai)");
        assertThat(store.asked).contains(CHAT + GuardedChat.class.getName() + "@com.google.inject.name.Named(anthropic)");
        assertThat(events.stream().map(ReboundEvent::target).distinct())
                .containsExactlyInAnyOrder("GuardedChat@Named(openai)", "GuardedChat@Named(anthropic)");
    }

    @Test
    void twoProvidersClientsGeneratedForOneInterfaceKeepABreakerEachInTheFleet() {
        twoProvidersKeepABreakerEach(provider -> {
            try {
                return generatedClient(provider);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void twoProvidersJdkProxiesOfOneInterfaceKeepABreakerEachInTheFleet() {
        twoProvidersKeepABreakerEach(GuiceFleetKeysTest::jdkProxy);
    }

    /**
     * Two bindings without a qualifier (two injectors, one per provider) of clients generated for one interface
     * share one key in the fleet: said once, at WARN, in Rebound.wrap's words, with this door's remedy too; with a
     * qualifier each, nothing is said.
     */
    @Test
    void twoBindingsWithoutAQualifierThatShareABreakerInTheFleetAreWarnedAboutOnce() throws Exception {
        SharingStore store = new SharingStore();
        ReboundSettings settings = ReboundSettings.global().toBuilder().rateLimitStore(store).build();
        List<GuardedChat> kept = new CopyOnWriteArrayList<>();
        GuardedChat openaiClient = generatedClient(down("openai"));
        GuardedChat anthropicClient = generatedClient(down("anthropic"));

        String warned = StdErr.during(() -> {
            for (GuardedChat client : List.of(openaiClient, anthropicClient)) {
                kept.add(Guice.createInjector(ReboundModule.wrapping(settings,
                        binder -> binder.bind(GuardedChat.class).toInstance(client))).getInstance(GuardedChat.class));
            }
        });
        String qualified = StdErr.during(() -> {
            for (String provider : List.of("openai", "anthropic")) {
                kept.add(Guice.createInjector(ReboundModule.wrapping(settings, binder -> binder.bind(GuardedChat.class)
                        .annotatedWith(Names.named(provider)).toInstance(openaiClient)))
                        .getInstance(Key.get(GuardedChat.class, Names.named(provider))));
            }
        });

        assertThat(kept).hasSize(4);
        assertThat(warned.lines().filter(l -> l.contains("fleet-wide"))).singleElement().asString().endsWith(
                "WARN dev.rebound - ReboundModule(GuardedChat): another wrapper built without a name shares the fleet-wide circuit"
                + " breaker of " + CHAT.substring(0, CHAT.length() - 1) + " on " + GuardedChat.class.getName()
                + " with this one: an opening of either opens both, on every instance that shares the store; give"
                + " each wrapper its own name with Rebound.wrap(...).named(...), and each binding"
                + " ReboundModule.wrapping wraps a qualifier of its own (bind(...).annotatedWith(Names.named(...))),"
                + " which the fleet names its breakers with");
        assertThat(qualified.lines().filter(l -> l.contains("fleet-wide"))).isEmpty();
    }

    /**
     * A client generated over Object that implements a JDK interface before the one it is bound as
     * ({@code implement(Supplier, GuardedChat)}): events and the fleet's key both name GuardedChat (the key named
     * {@code java.util.function.Supplier}).
     */
    @Test
    void aClientImplementingAJdkInterfaceFirstIsKeyedByTheInterfaceItIsBoundAs() throws Exception {
        SharingStore store = new SharingStore();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().rateLimitStore(store).build());
        GuardedChat client = (GuardedChat) new ByteBuddy().subclass(Object.class)
                .name(GuardedChat.class.getName() + "$ByteBuddy$supplier")
                .implement(Supplier.class, GuardedChat.class)
                .method(ElementMatchers.isAbstract()).intercept(InvocationHandlerAdapter.of(down("openai")))
                .make().load(GuardedChat.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                .getLoaded().getConstructor().newInstance();
        GuardedChat chat = Guice.createInjector(ReboundModule.wrapping(
                binder -> binder.bind(GuardedChat.class).toInstance(client))).getInstance(GuardedChat.class);

        assertThat(catchThrowable(() -> chat.chat("q"))).hasMessage("openai down");

        assertThat(store.asked).isNotEmpty().allSatisfy(key -> assertThat(key)
                .isEqualTo(CHAT + GuardedChat.class.getName()));
        assertThat(events.stream().map(ReboundEvent::target).distinct()).containsExactly("GuardedChat");
    }

    /**
     * Two calls of the injector's {@code @Named("openai")} client, which is down (its breaker opens), then two of its
     * {@code @Named("anthropic")} one: a blip, then its answer.
     */
    private static void openaiDownThenAnthropicBlips(Injector injector) {
        GuardedChat openai = injector.getInstance(Key.get(GuardedChat.class, Names.named("openai")));
        GuardedChat anthropic = injector.getInstance(Key.get(GuardedChat.class, Names.named("anthropic")));
        assertThat(catchThrowable(() -> openai.chat("q"))).hasMessage("openai down");
        assertThat(catchThrowable(() -> openai.chat("q"))).hasMessage("openai down");
        assertThat(catchThrowable(() -> anthropic.chat("q"))).hasMessage("anthropic blip");
        assertThat(anthropic.chat("q")).isEqualTo("anthropic: q");
    }

    /** Guice's way to configure one class twice: a private module per provider, binding it under its qualifier. */
    static PrivateModule provider(String name) {
        return new PrivateModule() {
            @Override
            protected void configure() {
                bindConstant().annotatedWith(Names.named("provider")).to(name);
                bind(GuardedChat.class).annotatedWith(Names.named(name)).to(HttpChat.class);
                expose(GuardedChat.class).annotatedWith(Names.named(name));
            }
        };
    }

    /**
     * One class, HttpChat, bound in a private module per provider under its qualifier: ReboundModule intercepts it
     * (it does not wrap it), once per private module, and names each interception with its binding's qualifier, in
     * events and in the fleet's key, installed alone or wrapping the modules. openai's breaker opens; anthropic's
     * stays closed in the fleet too (both were keyed {@code GuardedChat.chat(String)/HttpChat}, so anthropic opened,
     * reason fleet, after one blip, and events named both HttpChat).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void twoQualifiedClassBindingsOfOneClassKeepTheirOwnFleetBreakers(boolean wrapping) {
        eachProviderKeepsAnHttpChatBreakerNamedByItsQualifier(() -> {
            Module[] providers = {provider("openai"), provider("anthropic")};
            return wrapping ? Guice.createInjector(ReboundModule.wrapping(providers))
                    : Guice.createInjector(Stream.concat(Stream.of(new ReboundModule()), Stream.of(providers)).toList());
        });
    }

    /**
     * openai's outage and anthropic's blip through the injector {@code made} makes, on a store that shares breakers:
     * each provider's HttpChat keeps a breaker of its own, named and keyed by its qualifier, and nothing is said.
     */
    private void eachProviderKeepsAnHttpChatBreakerNamedByItsQualifier(Supplier<Injector> made) {
        eachProviderKeepsABreakerNamedByItsQualifier(HttpChat.class, made);
    }

    /** As {@link #eachProviderKeepsAnHttpChatBreakerNamedByItsQualifier}, for {@code impl}, an HttpChat. */
    private void eachProviderKeepsABreakerNamedByItsQualifier(Class<? extends HttpChat> impl, Supplier<Injector> made) {
        HttpChat.CALLS.clear();
        SharingStore store = new SharingStore();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().rateLimitStore(store).build());
        String log = StdErr.during(() -> openaiDownThenAnthropicBlips(made.get()));

        assertThat(HttpChat.CALLS.get("openai")).hasValue(2);
        assertThat(HttpChat.CALLS.get("anthropic")).hasValue(2);
        String httpChat = CHAT + impl.getName();
        String name = impl.getSimpleName();
        assertThat(store.open.keySet()).containsExactly(httpChat + "@com.google.inject.name.Named(openai)");
        assertThat(store.asked).containsExactly(httpChat + "@com.google.inject.name.Named(openai)",
                httpChat + "@com.google.inject.name.Named(openai)", httpChat + "@com.google.inject.name.Named(anthropic)");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED)
                .map(e -> e.target() + "/" + e.reason())).containsExactly(name + "@Named(openai)/failure-ratio");
        assertThat(events.stream().map(ReboundEvent::target).distinct())
                .containsExactlyInAnyOrder(name + "@Named(openai)", name + "@Named(anthropic)");
        assertThat(log.lines().filter(l -> l.contains(" WARN ") && !l.contains("failed for good")
                && !l.contains("circuit opened"))).isEmpty();
    }

    /**
     * Two qualified bindings that lead to one binding of a class, which the injector constructs and intercepts once
     * for both (in one injector; or in private modules that leave the class to their parent, which can construct
     * it): one breaker for both, in the process and in the fleet, named by the class alone. Said once per
     * configuration, naming the method and the remedy.
     */
    @Test
    void oneClassBindingThatTwoQualifiedBindingsShareIsSaidOnce() {
        String oneInjector = StdErr.during(() -> {
            for (int i = 0; i < 2; i++) {
                Guice.createInjector(ReboundModule.wrapping(binder -> {
                    binder.bindConstant().annotatedWith(Names.named("provider")).to("openai");
                    binder.bind(GuardedChat.class).annotatedWith(Names.named("eu")).to(HttpChat.class);
                    binder.bind(GuardedChat.class).annotatedWith(Names.named("us")).to(HttpChat.class);
                }));
            }
        });
        String leftToTheParent = StdErr.during(() -> Guice.createInjector(new ReboundModule(),
                binder -> binder.bindConstant().annotatedWith(Names.named("provider")).to("openai"),
                linkedOnly("a"), linkedOnly("b")));
        String separate = StdErr.during(() -> Guice.createInjector(new ReboundModule(), provider("c"), provider("d")));

        assertThat(oneInjector.lines().filter(l -> l.contains("intercepts once for all"))).singleElement().asString()
                .endsWith("WARN dev.rebound - ReboundModule(HttpChat): GuardedChat.chat(String): the bindings"
                        + " GuardedChat@Named(eu) and GuardedChat@Named(us) lead to HttpChat, which the injector"
                        + " constructs and intercepts once for all of them: they share its circuit breaker, in the"
                        + " process and in the fleet, and events name each HttpChat; bind HttpChat in a PrivateModule"
                        + " of its own per binding, under a qualifier (bind(...).annotatedWith(Names.named(...))"
                        + ".to(Impl.class), and bind(Impl.class) there), which names its breakers in events and in the"
                        + " fleet");
        assertThat(leftToTheParent.lines().filter(l -> l.contains("intercepts once for all"))).singleElement().asString()
                .contains("the bindings GuardedChat@Named(a) and GuardedChat@Named(b) lead to HttpChat, which");
        assertThat(separate.lines().filter(l -> l.contains("intercepts once for all"))).isEmpty();
    }

    /**
     * A generic class bound under two type arguments, each under a qualifier of its own, in one injector: the injector
     * intercepts the class once for both, so they share its one breaker, in the process as in the fleet, named by the
     * class alone, as two qualified bindings of one non-generic class do; said once, naming the remedy. (Each type
     * kept a breaker of its own in the process, both filed under the class's one key in the fleet: the second found
     * the first's open there, an opening of its own said as "fleet", and a WARN said that two interceptions shared
     * the fleet-wide breaker.)
     */
    @Test
    void twoTypeArgumentsOfOneClassUnderTwoQualifiersInOneInjectorShareItsBreakerSaidOnce() {
        HttpChat.CALLS.clear();
        SharingStore store = new SharingStore();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().rateLimitStore(store).build());
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(new ReboundModule(), binder -> {
                binder.bindConstant().annotatedWith(Names.named("provider")).to("openai");
                binder.bind(GuardedChat.class).annotatedWith(Names.named("eu"))
                        .to(new TypeLiteral<TypedHttpChat<String>>() { });
                binder.bind(GuardedChat.class).annotatedWith(Names.named("us"))
                        .to(new TypeLiteral<TypedHttpChat<Integer>>() { });
            });
            GuardedChat eu = injector.getInstance(Key.get(GuardedChat.class, Names.named("eu")));
            GuardedChat us = injector.getInstance(Key.get(GuardedChat.class, Names.named("us")));
            assertThat(catchThrowable(() -> eu.chat("q"))).hasMessage("openai down");
            assertThat(catchThrowable(() -> eu.chat("q"))).hasMessage("openai down");
            assertThat(catchThrowable(() -> us.chat("q"))).isInstanceOf(CircuitBreakerOpenException.class);
        });

        assertThat(HttpChat.CALLS.get("openai")).hasValue(2);
        assertThat(store.open.keySet()).containsExactly(CHAT + TypedHttpChat.class.getName());
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.CIRCUIT_OPENED)
                .map(e -> e.target() + "/" + e.reason())).containsExactly("TypedHttpChat/failure-ratio");
        assertThat(log.lines().filter(l -> l.contains(" WARN ") && !l.contains("failed for good")
                && !l.contains("circuit opened"))).singleElement().asString().endsWith("WARN dev.rebound - ReboundModule(TypedHttpChat): GuardedChat.chat(String): the"
                        + " bindings GuardedChat@Named(eu) and GuardedChat@Named(us) lead to TypedHttpChat, which the"
                        + " injector constructs and intercepts once for all of them: they share its circuit breaker, in"
                        + " the process and in the fleet, and events name each TypedHttpChat; bind TypedHttpChat in a"
                        + " PrivateModule of its own per binding, under a qualifier (bind(...).annotatedWith(Names.named("
                        + "...)).to(Impl.class), and bind(Impl.class) there), which names its breakers in events and in"
                        + " the fleet");
    }

    /**
     * The remedy: a private module per provider that binds its type argument of the generic class under its qualifier
     * keeps a breaker of its own, named and keyed with the qualifier.
     */
    @Test
    void aPrivateModulePerTypeArgumentOfOneClassKeepsItsOwnFleetBreakerNamedByItsQualifier() {
        eachProviderKeepsABreakerNamedByItsQualifier(TypedHttpChat.class, () -> Guice.createInjector(
                new ReboundModule(), typedProvider("openai", new TypeLiteral<TypedHttpChat<String>>() { }),
                typedProvider("anthropic", new TypeLiteral<TypedHttpChat<Integer>>() { })));
    }

    /** A private module for one provider that binds its qualifier to {@code type}, one type argument of a class. */
    private static PrivateModule typedProvider(String name, TypeLiteral<? extends GuardedChat> type) {
        return new PrivateModule() {
            @Override
            protected void configure() {
                bindConstant().annotatedWith(Names.named("provider")).to(name);
                bind(GuardedChat.class).annotatedWith(Names.named(name)).to(type);
                expose(GuardedChat.class).annotatedWith(Names.named(name));
            }
        };
    }

    /** A private module that links its qualified binding to HttpChat and binds nothing HttpChat needs. */
    private static PrivateModule linkedOnly(String name) {
        return new PrivateModule() {
            @Override
            protected void configure() {
                bind(GuardedChat.class).annotatedWith(Names.named(name)).to(HttpChat.class);
                expose(GuardedChat.class).annotatedWith(Names.named(name));
            }
        };
    }

    /**
     * One class that two injectors intercept, neither under a qualifier: its breakers share the class's key in the
     * fleet, said once, with this door's remedy; under a qualifier each, nothing is said.
     */
    @Test
    void aClassTwoInjectorsInterceptWithoutAQualifierIsSaidToShareItsFleetBreakerOnce() {
        SharingStore store = new SharingStore();
        ReboundSettings settings = ReboundSettings.global().toBuilder().rateLimitStore(store).build();
        List<Injector> kept = new CopyOnWriteArrayList<>();
        String warned = StdErr.during(() -> {
            for (String provider : List.of("openai", "anthropic")) {
                kept.add(Guice.createInjector(ReboundModule.wrapping(settings, binder -> {
                    binder.bindConstant().annotatedWith(Names.named("provider")).to(provider);
                    binder.bind(GuardedChat.class).to(HttpChat.class);
                })));
            }
        });
        String qualified = StdErr.during(() -> {
            for (String provider : List.of("openai", "anthropic")) {
                kept.add(Guice.createInjector(ReboundModule.wrapping(settings, provider(provider))));
            }
        });

        assertThat(kept).hasSize(4);
        assertThat(warned.lines().filter(l -> l.contains("fleet-wide"))).singleElement().asString().endsWith(
                "WARN dev.rebound - ReboundModule(HttpChat): another wrapper built without a name (or class an injector"
                + " intercepts) shares the fleet-wide circuit breaker of " + CHAT.substring(0, CHAT.length() - 1)
                + " on " + HttpChat.class.getName() + " with this one: an opening of either opens both, on every"
                + " instance that shares the store; give each wrapper its own name with Rebound.wrap(...).named(...),"
                + " and bind each class an injector intercepts in a PrivateModule of its own per binding, under a"
                + " qualifier (bind(...).annotatedWith(Names.named(...)).to(Impl.class), and bind(Impl.class) there),"
                + " which names its breakers in events and in the fleet");
        assertThat(qualified.lines().filter(l -> l.contains("fleet-wide"))).isEmpty();
    }

    /**
     * The values an OptionalBinder of a qualified key was given ({@code setDefault()}, {@code setBinding()}), whose
     * keys carry Guice's own annotations, are named and keyed with the optional binder's qualifier, under which the
     * application gets them: two providers keep a breaker each in the fleet (both were named GuardedChat, shared one
     * key, and a WARN told to add the qualifier they had).
     */
    @Test
    void anOptionalBindersValuesAreNamedAndKeyedWithItsQualifier() {
        SharingStore store = new SharingStore();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().rateLimitStore(store).build());
        AtomicInteger anthropicCalls = new AtomicInteger();
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(ReboundModule.wrapping(binder -> {
                OptionalBinder.newOptionalBinder(binder, Key.get(GuardedChat.class, Names.named("openai")))
                        .setDefault().toInstance(jdkProxy(down("openai")));
                OptionalBinder.newOptionalBinder(binder, Key.get(GuardedChat.class, Names.named("anthropic")))
                        .setBinding().toInstance(jdkProxy(blipOnce("anthropic", anthropicCalls)));
            }));
            openaiDownThenAnthropicBlips(injector);
        });

        assertThat(anthropicCalls).hasValue(2);
        assertThat(events.stream().map(ReboundEvent::target).distinct())
                .containsExactlyInAnyOrder("GuardedChat@Named(openai)", "GuardedChat@Named(anthropic)");
        String chat = CHAT + GuardedChat.class.getName();
        assertThat(store.open.keySet()).containsExactly(chat + "@com.google.inject.name.Named(openai)");
        assertThat(store.asked).contains(chat + "@com.google.inject.name.Named(anthropic)");
        assertThat(log.lines().filter(l -> l.contains("fleet-wide"))).isEmpty();
    }

    /** A private module per provider whose OptionalBinder of its qualified key is given HttpChat, constructed there. */
    private static PrivateModule optionalProvider(String name) {
        return new PrivateModule() {
            @Override
            protected void configure() {
                bindConstant().annotatedWith(Names.named("provider")).to(name);
                Key<GuardedChat> key = Key.get(GuardedChat.class, Names.named(name));
                OptionalBinder.newOptionalBinder(binder(), key).setBinding().to(HttpChat.class);
                expose(key);
            }
        };
    }

    /**
     * A class an OptionalBinder's value leads to, in a private module per provider, is named and keyed with the
     * optional binder's qualifier, as a linked binding's: the bindings the optional binder makes for itself (its
     * key's, the Optional's) are no routes of their own (they were taken for @Provides methods that inject the class,
     * so it was named HttpChat, both providers shared one breaker in the fleet, and a WARN told to split into private
     * modules what already was).
     */
    @Test
    void anOptionalBindersClassValueInAPrivateModulePerProviderIsNamedAndKeyedWithItsQualifier() {
        eachProviderKeepsAnHttpChatBreakerNamedByItsQualifier(() -> Guice.createInjector(new ReboundModule(),
                optionalProvider("openai"), optionalProvider("anthropic")));
    }

    /**
     * A Multibinder and a MapBinder made under a qualifier, whose values are a class a qualified binding leads to too:
     * the set and the map are the multibinders' own bindings, no routes to the class (the value carries no qualifier
     * of the application's), so the class is named by its one qualified binding, with nothing said (the set's and the
     * map's bindings were taken for @Provides methods that inject the class: a WARN said that Set@Named(all),
     * Map@Named(byName) and GuardedChat@Named(openai) share its breaker, and it was named HttpChat).
     */
    @Test
    void aMultibinderOrMapBinderUnderAQualifierIsNoRouteOfItsOwnToItsValuesClass() {
        HttpChat.CALLS.clear();
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(new ReboundModule(), binder -> {
                binder.bindConstant().annotatedWith(Names.named("provider")).to("openai");
                binder.bind(GuardedChat.class).annotatedWith(Names.named("openai")).to(HttpChat.class);
                Multibinder.newSetBinder(binder, GuardedChat.class, Names.named("all")).addBinding().to(HttpChat.class);
                MapBinder.newMapBinder(binder, String.class, GuardedChat.class, Names.named("byName"))
                        .addBinding("openai").to(HttpChat.class);
            });
            GuardedChat openai = injector.getInstance(Key.get(GuardedChat.class, Names.named("openai")));
            assertThat(catchThrowable(() -> openai.chat("q"))).hasMessage("openai down");
        });

        assertThat(events.stream().map(ReboundEvent::target).distinct()).containsExactly("HttpChat@Named(openai)");
        assertThat(log.lines().filter(l -> l.contains(" WARN ") && !l.contains("failed for good"))).isEmpty();
    }

    /**
     * A qualified alias of a qualified binding (Chat@Named(default) linked to Chat@Named(openai), which is linked to
     * HttpChat) leads to the class through the binding it links to: one route, which names the class, with nothing
     * said (it was counted as a second route: a WARN said that the two lead to one binding of HttpChat, to be split
     * into private modules, and the class was named HttpChat).
     */
    @Test
    void aQualifiedAliasOfAQualifiedBindingIsNoSecondRouteToItsClass() {
        HttpChat.CALLS.clear();
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(new ReboundModule(), binder -> {
                binder.bindConstant().annotatedWith(Names.named("provider")).to("openai");
                binder.bind(GuardedChat.class).annotatedWith(Names.named("openai")).to(HttpChat.class);
                binder.bind(GuardedChat.class).annotatedWith(Names.named("default"))
                        .to(Key.get(GuardedChat.class, Names.named("openai")));
            });
            GuardedChat chat = injector.getInstance(Key.get(GuardedChat.class, Names.named("default")));
            assertThat(catchThrowable(() -> chat.chat("q"))).hasMessage("openai down");
        });

        assertThat(events.stream().map(ReboundEvent::target).distinct()).containsExactly("HttpChat@Named(openai)");
        assertThat(log.lines().filter(l -> l.contains(" WARN ") && !l.contains("failed for good"))).isEmpty();
    }
}
