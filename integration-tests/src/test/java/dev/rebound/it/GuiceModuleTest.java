package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.PrivateModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.multibindings.ProvidesIntoMap;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.google.inject.multibindings.StringMapKey;
import com.google.inject.name.Names;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.plain.AbstractFallbackChat;
import dev.rebound.it.plain.BrokenCauseChat;
import dev.rebound.it.plain.BrokenChat;
import dev.rebound.it.plain.Endpoint;
import dev.rebound.it.plain.GuiceCannotSubclass;
import dev.rebound.it.plain.GuiceReach;
import dev.rebound.it.plain.OwnSettingsBudgets;
import dev.rebound.it.plain.PlainChat;
import dev.rebound.it.plain.PlainGpt4;
import dev.rebound.it.plain.PlainGuardedChat;
import dev.rebound.it.plain.PlainRateLimited;
import dev.rebound.it.plain.SelfCallingSummarizer;
import dev.rebound.it.plain.Summarizer;
import dev.rebound.it.plain.TransactionBeside;
import dev.rebound.runtime.RateLimitRefusedException;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.guice.ReboundModule;
import jakarta.inject.Provider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ReboundModule over classes that are not woven: Guice alone attaches the policies. */
class GuiceModuleTest extends VirtualTime {

    /** The endpoints every model needs; alternatives get theirs from the injector too. */
    static final class Endpoints extends AbstractModule {
        @Override
        protected void configure() {
            bind(Endpoint.class).annotatedWith(Names.named("gpt-4")).toInstance(new Endpoint("gpt-4"));
            bind(Endpoint.class).annotatedWith(Names.named("gpt-3.5")).toInstance(new Endpoint("gpt-3.5"));
        }
    }

    @BeforeEach
    void gpt4IsDown() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);
        FakeLlm.failFirst("gpt-3.5", 1);
    }

    private static void assertRetriedThenFellBack(PlainChat chat) {
        assertThat(chat.chat("hi")).isEqualTo("gpt-3.5: hi");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3", "gpt-3.5 #1",
                "gpt-3.5 #2");
    }

    /** A user's module that installs ReboundModule: it covers the classes the injector constructs. */
    static final class ConstructedChatModule extends AbstractModule {
        @Override
        protected void configure() {
            // docs:guice-install
            install(new ReboundModule());
            bind(PlainChat.class).to(PlainGpt4.class);
            // /docs:guice-install
        }
    }

    @Test
    void theClassesTheInjectorConstructsAreInterceptedIncludingTheAlternative() {
        Injector injector = Guice.createInjector(new ConstructedChatModule(), new Endpoints());
        PlainChat chat = injector.getInstance(PlainChat.class);

        assertThat(chat).isNotInstanceOf(Woven.class);
        assertRetriedThenFellBack(chat);
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(100));
    }

    @Test
    void unannotatedMethodsGoStraightThrough() {
        PlainChat chat = Guice.createInjector(new ReboundModule(), new Endpoints(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).to(PlainGpt4.class);
            }
        }).getInstance(PlainChat.class);

        assertThat(chat.model()).isEqualTo("gpt-4");
        assertThat(events).isEmpty();
    }

    /** A user's module whose @Provides method builds the client by hand (as langchain4j builders do). */
    static final class ChatModule extends AbstractModule {
        @Provides
        @Singleton
        PlainChat chat(@jakarta.inject.Named("gpt-4") Endpoint endpoint) {
            return new PlainGpt4(endpoint); // made by hand: Guice AOP cannot reach it
        }
    }

    @Test
    void aDroppedInjectorThatWrappedABindingIsCollected() {
        java.lang.ref.WeakReference<Injector> last = null;
        for (int i = 0; i < 20; i++) {
            Injector injector = Guice.createInjector(ReboundModule.wrapping(new Endpoints(), new ChatModule()));
            assertThat(injector.getInstance(PlainChat.class).model()).isEqualTo("gpt-4");
            last = new java.lang.ref.WeakReference<>(injector);
        }
        for (int i = 0; i < 50 && last.get() != null; i++) {
            System.gc();
        }

        assertThat(last.get()).as("the last dropped injector, after GC").isNull();
    }

    @Test
    void wrappingCoversProvidesMethods() {
        // docs:guice-wrapping
        Injector injector = Guice.createInjector(ReboundModule.wrapping(new Endpoints(), new ChatModule()));
        // /docs:guice-wrapping
        PlainChat chat = injector.getInstance(PlainChat.class);

        assertRetriedThenFellBack(chat);
        assertThat(injector.getInstance(PlainChat.class)).as("the @Singleton scope is kept").isSameAs(chat);
    }

    @Test
    void installedAloneItWarnsOnceAboutEachBindingOfAnAnnotatedInterfaceItCannotReach() {
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(new ReboundModule(), new Endpoints(), new ChatModule());
            PlainChat chat = injector.getInstance(PlainChat.class);
            injector.getInstance(PlainChat.class);
            assertThat(dev.rebound.runtime.Rebound.isResilient(chat)).as("Guice AOP cannot reach it").isFalse();
            Guice.createInjector(new ReboundModule(), new Endpoints(), new AbstractModule() {
                @Override
                protected void configure() {
                    bind(PlainChat.class).toInstance(new PlainGpt4(new Endpoint("gpt-4")));
                }
            });
        });

        assertThat(StdErr.count(log, "WARN dev.rebound - ReboundModule: PlainChat's policies do not apply to the"
                + " instance bound at ")).isEqualTo(2);
        assertThat(log).contains("GuiceModuleTest$ChatModule.chat(")
                .contains(": the injector does not construct it (toInstance, @Provides or toProvider), so Guice"
                        + " cannot intercept it. Install the module that binds it through ReboundModule.wrapping(...),"
                        + " or return Rebound.wrap(PlainChat.class, ...) from it");
    }

    @Test
    void anInstanceBoundToAnAnnotatedClassIsWarnedAboutToo() {
        String log = StdErr.during(() -> Guice.createInjector(new ReboundModule(), new Endpoints(),
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(PlainGpt4.class).toInstance(new PlainGpt4(new Endpoint("gpt-4")));
                    }
                }));

        assertThat(StdErr.count(log, "ReboundModule: PlainGpt4's policies do not apply to the instance bound at"))
                .isEqualTo(1);
        String classRemedy = ": the injector does not construct it (toInstance, @Provides or toProvider), so Guice"
                + " cannot intercept it, and ReboundModule.wrapping(...) wraps interfaces only. Let the injector"
                + " construct it (bind PlainGpt4 to a class, not to an instance or a provider), or bind it as an"
                + " interface it implements in a module given to ReboundModule.wrapping(...)";
        assertThat(log).contains(classRemedy).doesNotContain("Install the module that binds it");

        String inside = StdErr.during(() -> Guice.createInjector(ReboundModule.wrapping(new ReboundModule(),
                new Endpoints(), new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(PlainGpt4.class).toInstance(new PlainGpt4(new Endpoint("gpt-4")));
                    }
                })));
        assertThat(StdErr.count(inside, "ReboundModule: PlainGpt4's policies do not apply to the instance bound at"))
                .as("a ReboundModule inside wrapping(...) gives way, its warnings too").isEqualTo(1);
        assertThat(inside).as("wrapping(...) covers no class binding: the remedy says so").contains(classRemedy)
                .doesNotContain("Install the module that binds it");
    }

    @Test
    void wrappingAppliesThePolicyOfTheProvidedClassWhenItsInterfaceCarriesNone() {
        GuiceReach.PlainModel plain = new GuiceReach.PlainModel();
        Injector injector = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(GuiceReach.Model.class).annotatedWith(Names.named("instance"))
                        .toInstance(new GuiceReach.RetryingModel());
                bind(GuiceReach.Model.class).annotatedWith(Names.named("provider"))
                        .toProvider((Provider<GuiceReach.Model>) GuiceReach.RetryingModel::new);
                bind(GuiceReach.Model.class).annotatedWith(Names.named("plain")).toInstance(plain);
            }

            @Provides
            @jakarta.inject.Named("provides")
            GuiceReach.Model provides() {
                return new GuiceReach.RetryingModel();
            }

            @Provides
            @jakarta.inject.Named("plain provides")
            GuiceReach.Model plainProvides() {
                return plain;
            }
        }));

        for (String name : List.of("instance", "provider", "provides")) {
            GuiceReach.Model model = injector.getInstance(Key.get(GuiceReach.Model.class, Names.named(name)));
            GuiceReach.reset();
            assertThat(catchThrowable(() -> model.chat("hi"))).as(name).hasMessage("down 3");
            assertThat(GuiceReach.ATTEMPTS).as(name).hasValue(3);
        }
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(injector.getInstance(Key.get(GuiceReach.Model.class, Names.named("plain"))))
                .as("a class without policies is provided as it is").isSameAs(plain);
        assertThat(injector.getInstance(Key.get(GuiceReach.Model.class, Names.named("plain provides")))).isSameAs(plain);
    }

    /** A logging decorator, as a framework or the application makes one: a JDK proxy that does not say its class. */
    private static GuiceReach.Model logged(GuiceReach.Model target) {
        return (GuiceReach.Model) java.lang.reflect.Proxy.newProxyInstance(GuiceReach.Model.class.getClassLoader(),
                new Class<?>[] {GuiceReach.Model.class}, (proxy, method, args) -> {
                    try {
                        return method.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void wrappingSaysAsWrapDoesThatAJdkProxyHidesTheClassBehindItAndItsPolicy() {
        GuiceReach.Model proxy = logged(new GuiceReach.RetryingModel());
        String wrapLog = StdErr.during(() -> Rebound.wrap(GuiceReach.Model.class, proxy).build());
        String words = "the target is a JDK proxy (" + proxy.getClass().getName() + ") that does not say what class is"
                + " behind it, and Model carries no policy: annotations on the class behind a JDK proxy cannot be seen,"
                + " so this wrapper applies none (annotate Model, give the policies to the builder, or wrap the object"
                + " behind the proxy)";
        assertThat(wrapLog).contains("WARN dev.rebound - Rebound.wrap(Model): " + words);
        List<GuiceReach.Model> provided = new java.util.ArrayList<>();

        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
                @Override
                protected void configure() {
                    bind(GuiceReach.Model.class).annotatedWith(Names.named("instance")).toInstance(proxy);
                    bind(GuiceReach.Model.class).annotatedWith(Names.named("provider"))
                            .toProvider((Provider<GuiceReach.Model>) () -> logged(new GuiceReach.RetryingModel()));
                }

                @Provides
                @jakarta.inject.Named("provides")
                GuiceReach.Model provides() {
                    return logged(new GuiceReach.RetryingModel());
                }
            }));
            for (String name : List.of("instance", "provider", "provides", "provider", "provides")) {
                provided.add(injector.getInstance(Key.get(GuiceReach.Model.class, Names.named(name))));
            }
        });

        assertThat(StdErr.count(log, "WARN dev.rebound - ReboundModule(Model): " + words))
                .as("once per binding: toInstance, toProvider, @Provides").isEqualTo(3);
        for (GuiceReach.Model model : provided) { // as Rebound.wrap's: no policy applies
            GuiceReach.reset();
            assertThat(catchThrowable(() -> model.chat("hi"))).hasMessage("down 1");
            assertThat(Rebound.isResilient(model)).isFalse();
        }
    }

    /**
     * A Spring JDK proxy over {@code target} (a transactional or logging aspect, by the target's interfaces): it
     * says the class behind it; one {@code $ProxyN} class serves the proxies of every class of the same interfaces.
     */
    private static GuiceReach.Model springProxy(GuiceReach.Model target) {
        org.springframework.aop.framework.ProxyFactory factory = new org.springframework.aop.framework.ProxyFactory(
                target);
        factory.addAdvice((org.aopalliance.intercept.MethodInterceptor) invocation -> invocation.proceed());
        GuiceReach.Model proxy = (GuiceReach.Model) factory.getProxy();
        assertThat(java.lang.reflect.Proxy.isProxyClass(proxy.getClass())).isTrue();
        return proxy;
    }

    @Test
    void wrappingAppliesThePolicyOfTheClassASpringJdkProxySaysItIsBehindAsWrapDoes() {
        GuiceReach.Model overPlain = springProxy(new GuiceReach.PlainModel());
        assertThat(springProxy(new GuiceReach.RetryingModel()).getClass()).as("one proxy class for both targets")
                .isSameAs(overPlain.getClass());
        boolean[] plainNext = {false};
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
                @Override
                protected void configure() {
                    bind(GuiceReach.Model.class).annotatedWith(Names.named("instance"))
                            .toInstance(springProxy(new GuiceReach.RetryingModel()));
                    bind(GuiceReach.Model.class).annotatedWith(Names.named("provider")).toProvider(
                            (Provider<GuiceReach.Model>) () -> (plainNext[0] = !plainNext[0]) ? overPlain
                                    : springProxy(new GuiceReach.RetryingModel())); // plain, retrying, plain
                }

                @Provides
                @jakarta.inject.Named("provides")
                GuiceReach.Model provides() {
                    return springProxy(new GuiceReach.RetryingModel());
                }
            }));
            Key<GuiceReach.Model> provider = Key.get(GuiceReach.Model.class, Names.named("provider"));
            assertThat(injector.getInstance(provider)).as("a proxy of a class without policies is provided as it is")
                    .isSameAs(overPlain);
            for (String name : List.of("instance", "provides", "provider")) {
                GuiceReach.Model model = injector.getInstance(Key.get(GuiceReach.Model.class, Names.named(name)));
                GuiceReach.reset();
                assertThat(catchThrowable(() -> model.chat("hi"))).as(name).hasMessage("down 3");
                assertThat(GuiceReach.ATTEMPTS).as(name + ": RetryingModel's @Retry(attempts = 3)").hasValue(3);
            }
            assertThat(injector.getInstance(provider)).as("and after one of the same proxy class with policies")
                    .isSameAs(overPlain);
        });
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(log).as("named by the class behind and the binding's qualifier, and no door's warning")
                .contains("Model.chat(String) on RetryingModel@Named(instance): retrying")
                .contains("Model.chat(String) on RetryingModel@Named(provides): retrying")
                .doesNotContain("ReboundModule");
    }

    /**
     * A module with a MapBinder, a Multibinder and an OptionalBinder of {@code Model} (as applications register
     * handlers), whose values are bound every way: to a class, to an instance, to a provider, by a method.
     */
    private static AbstractModule multibinders(Class<? extends GuiceReach.Model> byClass,
            Provider<GuiceReach.Model> made) {
        return new AbstractModule() {
            @Override
            protected void configure() {
                MapBinder<String, GuiceReach.Model> map = MapBinder.newMapBinder(binder(), String.class,
                        GuiceReach.Model.class);
                map.addBinding("to").to(byClass);
                map.addBinding("instance").toInstance(made.get());
                map.addBinding("provider").toProvider(made);
                Multibinder.newSetBinder(binder(), GuiceReach.Model.class).addBinding().toInstance(made.get());
                OptionalBinder.newOptionalBinder(binder(), GuiceReach.Model.class).setDefault().toInstance(made.get());
            }

            @ProvidesIntoMap
            @StringMapKey("provides")
            GuiceReach.Model provides() {
                return made.get();
            }

            @ProvidesIntoSet
            GuiceReach.Model providesIntoSet() {
                return made.get();
            }
        };
    }

    /** Every value of the three multibinders of {@link #multibinders}, by where it was added. */
    private static Map<String, GuiceReach.Model> multibound(Injector injector) {
        Map<String, GuiceReach.Model> values = new java.util.TreeMap<>(
                injector.getInstance(Key.get(new TypeLiteral<Map<String, GuiceReach.Model>>() { })));
        int i = 0;
        for (GuiceReach.Model m : injector.getInstance(Key.get(new TypeLiteral<Set<GuiceReach.Model>>() { }))) {
            values.put("set " + i++, m);
        }
        values.put("optional", injector.getInstance(Key.get(new TypeLiteral<Optional<GuiceReach.Model>>() { })).get());
        values.put("optional's type", injector.getInstance(GuiceReach.Model.class));
        return values;
    }

    @Test
    void wrappingAModuleWithMultibindersOfAnInterfaceWithoutPoliciesProvidesTheirValuesAsTheyAre() {
        AbstractModule module = multibinders(GuiceReach.PlainModel.class, GuiceReach.PlainModel::new);
        assertThat(multibound(Guice.createInjector(module))).as("without Rebound").hasSize(8);

        Map<String, GuiceReach.Model> values = multibound(Guice.createInjector(ReboundModule.wrapping(module)));

        assertThat(values.keySet()).containsExactly("instance", "optional", "optional's type", "provider",
                "provides", "set 0", "set 1", "to");
        values.forEach((where, model) -> assertThat(model.getClass()).as(where).isEqualTo(GuiceReach.PlainModel.class));
    }

    @Test
    void wrappingAppliesThePolicyOfEachValueOfAMultibinderWhoseClassCarriesOne() {
        Injector injector = Guice.createInjector(ReboundModule.wrapping(
                multibinders(GuiceReach.RetryingModel.class, GuiceReach.RetryingModel::new)));

        Map<String, GuiceReach.Model> values = multibound(injector);

        assertThat(values).hasSize(8);
        values.forEach((where, model) -> {
            GuiceReach.reset();
            assertThat(catchThrowable(() -> model.chat("hi"))).as(where).hasMessage("down 3");
            assertThat(GuiceReach.ATTEMPTS).as(where).hasValue(3);
        });
    }

    @Test
    void wrappingAppliesThePolicyOfAMultibindersValuesBoundToAnAnnotatedInterface() {
        Injector injector = Guice.createInjector(ReboundModule.wrapping(new Endpoints(), new AbstractModule() {
            @Override
            protected void configure() {
                MapBinder.newMapBinder(binder(), String.class, PlainChat.class).addBinding("gpt-4")
                        .toInstance(new PlainGpt4(new Endpoint("gpt-4")));
                Multibinder<GuiceReach.Asked> set = Multibinder.newSetBinder(binder(), GuiceReach.Asked.class);
                set.addBinding().to(GuiceReach.FailingAsked.class);
                set.addBinding().toInstance(new GuiceReach.FailingAsked());
                set.addBinding().toProvider((Provider<GuiceReach.Asked>) GuiceReach.FailingAsked::new);
                OptionalBinder.newOptionalBinder(binder(), GuiceReach.Asked.class).setBinding()
                        .toInstance(new GuiceReach.FailingAsked());
            }
        }));
        PlainChat chat = injector.getInstance(Key.get(new TypeLiteral<Map<String, PlainChat>>() { })).get("gpt-4");

        assertThat(Rebound.isResilient(chat)).isTrue();
        assertRetriedThenFellBack(chat);
        List<GuiceReach.Asked> asked = new java.util.ArrayList<>(
                injector.getInstance(Key.get(new TypeLiteral<Set<GuiceReach.Asked>>() { })));
        asked.add(injector.getInstance(Key.get(new TypeLiteral<Optional<GuiceReach.Asked>>() { })).get());
        asked.add(injector.getInstance(GuiceReach.Asked.class));
        assertThat(asked).hasSize(5);
        for (GuiceReach.Asked a : asked) {
            GuiceReach.reset();
            assertThat(catchThrowable(() -> a.ask("q"))).hasMessage("down 3");
            assertThat(GuiceReach.ATTEMPTS).hasValue(3);
        }
    }

    @Test
    void installedAloneItWarnsOnceAboutAnInstanceWhoseClassCarriesAPolicyItsInterfaceDoesNot() {
        saysOnceThatRetryingModelRunsWithoutItsPolicies(model -> model);
    }

    @Test
    void installedAloneItWarnsOnceAboutASpringJdkProxyWhoseClassBehindCarriesAPolicy() {
        String log = saysOnceThatRetryingModelRunsWithoutItsPolicies(GuiceModuleTest::springProxy);
        assertThat(log).doesNotContain("$Proxy");
    }

    /**
     * Installed alone, with {@code Model} bound to instances of {@code RetryingModel} (by {@code toInstance} and by
     * a method) and of {@code PlainModel}, each as {@code shaped} makes it: one WARN, naming {@code RetryingModel}.
     */
    private String saysOnceThatRetryingModelRunsWithoutItsPolicies(
            java.util.function.UnaryOperator<GuiceReach.Model> shaped) {
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(new ReboundModule(), new AbstractModule() {
                @Override
                protected void configure() {
                    bind(GuiceReach.Model.class).toInstance(shaped.apply(new GuiceReach.RetryingModel()));
                    bind(GuiceReach.Model.class).annotatedWith(Names.named("plain"))
                            .toInstance(shaped.apply(new GuiceReach.PlainModel()));
                }

                @Provides
                @jakarta.inject.Named("provides")
                GuiceReach.Model provides() {
                    return shaped.apply(new GuiceReach.RetryingModel());
                }
            });
            GuiceReach.Model model = injector.getInstance(GuiceReach.Model.class);
            GuiceReach.reset();
            assertThat(catchThrowable(() -> model.chat("hi"))).hasMessage("down 1");
            injector.getInstance(Key.get(GuiceReach.Model.class, Names.named("provides")));
            injector.getInstance(Key.get(GuiceReach.Model.class, Names.named("provides")));
            injector.getInstance(Key.get(GuiceReach.Model.class, Names.named("plain")));
        });

        assertThat(StdErr.count(log, "WARN dev.rebound - ReboundModule: RetryingModel's policies do not apply to the"
                + " instance bound at ")).as("once per class").isEqualTo(1);
        assertThat(log).contains(": the injector does not construct it (toInstance, @Provides or toProvider), so"
                + " Guice cannot intercept it. Install the module that binds it through ReboundModule.wrapping(...),"
                + " or return Rebound.wrap(Model.class, ...) from it").doesNotContain("PlainModel's");
        return log;
    }

    @Test
    void installedAloneItSaysOnceForEachValueAModuleAddsToAMultibinderThatItRunsWithoutItsPolicies() {
        String log = StdErr.during(() -> {
            Injector injector = Guice.createInjector(new ReboundModule(), new AbstractModule() {
                @Override
                protected void configure() {
                    OptionalBinder.newOptionalBinder(binder(), GuiceReach.Asked.class).setDefault()
                            .toInstance(new GuiceReach.FailingAsked());
                    Multibinder<GuiceReach.Asked> set = Multibinder.newSetBinder(binder(), GuiceReach.Asked.class);
                    set.addBinding().toInstance(new GuiceReach.FailingAsked());
                    set.addBinding().toInstance(new GuiceReach.FailingAsked());
                    MapBinder.newMapBinder(binder(), String.class, GuiceReach.Asked.class).addBinding("a")
                            .toInstance(new GuiceReach.FailingAsked());
                }
            });
            for (int i = 0; i < 2; i++) {
                GuiceReach.reset();
                assertThat(catchThrowable(() -> injector.getInstance(GuiceReach.Asked.class).ask("q")))
                        .hasMessage("down 1");
                injector.getInstance(Key.get(new TypeLiteral<Optional<GuiceReach.Asked>>() { }));
                injector.getInstance(Key.get(new TypeLiteral<Set<GuiceReach.Asked>>() { }));
                injector.getInstance(Key.get(new TypeLiteral<Map<String, GuiceReach.Asked>>() { }));
                injector.getInstance(Key.get(new TypeLiteral<Map<String, Provider<GuiceReach.Asked>>>() { }));
            }
        });

        assertThat(StdErr.count(log, "WARN dev.rebound - ReboundModule: Asked's policies do not apply to the instance"
                + " bound at ")).as("once per value added: the optional's default, two in the set, one in the map")
                .as(log).isEqualTo(4);
        assertThat(log).doesNotContain("RealOptionalBinder").doesNotContain("com.google.inject.internal");
    }

    @Test
    void aReboundModuleInAChildWhoseParentHasNoneSaysOnceThatTheParentsJustInTimeClassesRunWithoutPolicies() {
        Injector parent = Guice.createInjector();
        String[] log = new String[1];
        log[0] = StdErr.during(() -> {
            Injector child = parent.createChildInjector(new ReboundModule());
            GuiceReach.Worker worker = child.getInstance(GuiceReach.Worker.class);
            GuiceReach.reset();
            assertThat(catchThrowable(() -> worker.work("t"))).hasMessage("down 1");
            Injector other = parent.createChildInjector(new ReboundModule(), new AbstractModule() {
                @Override
                protected void configure() {
                    bind(GuiceReach.Boss.class);
                }
            });
            GuiceReach.reset();
            assertThat(catchThrowable(() -> other.getInstance(GuiceReach.Boss.class).worker.work("t")))
                    .as("Worker, which Boss needs, is constructed by the parent").hasMessage("down 1");
        });
        assertThat(StdErr.count(log[0], "WARN dev.rebound - ReboundModule: installed in a child injector (or a"
                + " PrivateModule) whose parent installs none: a class with policies that the parent can construct"
                + " (everything it needs is bound there) becomes the parent's just-in-time binding even when this"
                + " injector is asked for it (child.getInstance(Impl.class), or a class bound here that needs it), and"
                + " the parent runs it without them (a woven class keeps its aspect's). Install ReboundModule in the"
                + " parent injector, or bind each such class in this one")).as("once per parent").isEqualTo(1);

        log[0] = StdErr.during(() -> {
            Injector child = Guice.createInjector(new ReboundModule()).createChildInjector(new ReboundModule(),
                    new AbstractModule() {
                        @Override
                        protected void configure() {
                            bind(GuiceReach.Boss.class);
                        }
                    });
            GuiceReach.reset();
            assertThat(catchThrowable(() -> child.getInstance(GuiceReach.Boss.class).worker.work("t")))
                    .hasMessage("down 3");
        });
        assertThat(log[0]).as("the parent installs ReboundModule").doesNotContain("installed in a child injector");
    }

    @Test
    void wrappingReachesTheBindingsOfAPrivateModuleAndKeepsWhatItExposes() {
        Injector[] injector = new Injector[1];
        String log = StdErr.during(() -> injector[0] = Guice.createInjector(ReboundModule.wrapping(
                new PrivateModule() {
                    @Override
                    protected void configure() {
                        bind(GuiceReach.Model.class).toInstance(new GuiceReach.RetryingModel()); // not exposed
                    }

                    @Provides
                    @com.google.inject.Exposed
                    GuiceReach.Asked asked() {
                        return new GuiceReach.FailingAsked();
                    }
                })));
        GuiceReach.Asked asked = injector[0].getInstance(GuiceReach.Asked.class);
        GuiceReach.reset();

        assertThat(catchThrowable(() -> asked.ask("q"))).hasMessage("down 3");
        assertThat(GuiceReach.ATTEMPTS).hasValue(3);
        assertThat(injector[0].getExistingBinding(Key.get(GuiceReach.Model.class))).as("kept private").isNull();
        assertThat(log).doesNotContain("policies do not apply");
    }

    @Test
    void aProvidedByInterfaceIsWarnedAboutWithItsOwnRemedyAndBindingItInWrappingCoversIt() {
        String log = StdErr.during(() -> {
            GuiceReach.ProvidedAsked justInTime = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            })).getInstance(GuiceReach.ProvidedAsked.class);
            GuiceReach.reset();
            assertThat(catchThrowable(() -> justInTime.ask("q"))).hasMessage("down 1");
        });
        assertThat(log).containsOnlyOnce("WARN dev.rebound - ReboundModule: ProvidedAsked's policies do not apply to"
                + " the instance of ProvidedAsked's @ProvidedBy provider: that binding is made just in time, by no"
                + " module, so ReboundModule.wrapping(...) cannot wrap it and Guice cannot intercept it. Bind"
                + " ProvidedAsked explicitly in a module given to ReboundModule.wrapping(...)"
                + " (bind(ProvidedAsked.class).toProvider(...)), or return Rebound.wrap(ProvidedAsked.class, ...)"
                + " from the provider").doesNotContain("Install the module that binds it");

        GuiceReach.ProvidedAsked bound = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(GuiceReach.ProvidedAsked.class).toProvider(GuiceReach.ProvidedAskedProvider.class);
            }
        })).getInstance(GuiceReach.ProvidedAsked.class);
        GuiceReach.reset();
        assertThat(catchThrowable(() -> bound.ask("q"))).hasMessage("down 3");
    }

    /** Each injector is an application graph of its own, as each Rebound.wrap wrapper is: a breaker each. */
    @Test
    void eachInjectorKeepsTheStateOfItsOwnBreaker() {
        AbstractModule guarded = new AbstractModule() {
            @Override
            protected void configure() {
                bind(GuiceReach.Guarded.class).to(GuiceReach.FailingGuarded.class);
            }
        };
        GuiceReach.Guarded a = Guice.createInjector(new ReboundModule(), guarded).getInstance(GuiceReach.Guarded.class);
        GuiceReach.Guarded b = Guice.createInjector(new ReboundModule(), guarded).getInstance(GuiceReach.Guarded.class);
        GuiceReach.reset();
        catchThrowable(() -> a.ask("q"));

        assertThat(catchThrowable(() -> a.ask("q"))).isInstanceOf(dev.rebound.runtime.CircuitBreakerOpenException.class);
        assertThat(catchThrowable(() -> b.ask("q"))).hasMessage("down 2");
        assertThat(GuiceReach.ATTEMPTS).hasValue(2);
        assertThat(catchThrowable(() -> a.ask("q"))).as("a's breaker, still open")
                .isInstanceOf(dev.rebound.runtime.CircuitBreakerOpenException.class);
    }

    private static PlainGuardedChat guardedChatOfANewInjector() {
        return Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainGuardedChat.class).to(PlainGuardedChat.Gpt4.class);
            }
        }).getInstance(PlainGuardedChat.class);
    }

    /**
     * A retry budget is a shared pool by name, as a rate-limit key is, not per injector: two injectors on the
     * global settings draw on the interface's one budget, whose calls pay for the retries of both.
     */
    @Test
    void injectorsOnTheGlobalSettingsShareARetryBudget() {
        FakeLlm.reset();
        PlainGuardedChat a = guardedChatOfANewInjector();
        PlainGuardedChat b = guardedChatOfANewInjector();
        for (int i = 0; i < 10; i++) {
            assertThat(a.ask("q")).isEqualTo("gpt-4: q"); // ten calls through injector a
        }
        FakeLlm.reset();
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);

        // b's first call: 11 calls in the budget (ratio 0.4, no reserve): 1 retry <= 0.4 x 11
        assertThat(b.ask("q")).isEqualTo("local: q");
        assertThat(FakeLlm.calls()).as("b's call is retried on the budget a's calls filled")
                .containsExactly("gpt-4 #1", "gpt-4 #2", "local #1");
    }

    /** {@code type} bound to {@code instance}, wrapped on the settings {@code own}, as a test's are. */
    private static <T> T boundOn(dev.rebound.runtime.ReboundSettings own, Class<T> type, T instance) {
        return Guice.createInjector(ReboundModule.wrapping(own, new AbstractModule() {
            @Override
            protected void configure() {
                bind(type).toInstance(instance);
            }
        })).getInstance(type);
    }

    /** A wrapper on the global settings naming the retry budget and rate-limit key {@code name}, with other values. */
    private static OwnSettingsBudgets.Other onTheGlobalSettings(String name) {
        return dev.rebound.runtime.Rebound.wrap(OwnSettingsBudgets.Other.class, (OwnSettingsBudgets.Other) q -> q)
                .withRetry(dev.rebound.runtime.RetryPolicy.builder().attempts(2).budget(name).budgetRatio(0.2).build())
                .withRateLimit(dev.rebound.runtime.RateLimitPolicy.builder().key(name).requestsPerMinute(60).build())
                .build();
    }

    /**
     * A binding wrapped on settings of its own defines its retry budget and rate-limit key in those settings
     * only (ReboundSettings: settings made with builder() get budgets of their own), at the injector's creation
     * too: a wrapper on the global settings may then name them with other values, and a wrapper on the
     * binding's settings may not.
     */
    @Test
    void aBindingOnSettingsOfItsOwnDefinesItsBudgetAndKeyThereNotInTheGlobalSettings() {
        dev.rebound.runtime.ReboundSettings own = dev.rebound.runtime.ReboundSettings.builder().logging(false).build();
        OwnSettingsBudgets.BoundFirst bound = boundOn(own, OwnSettingsBudgets.BoundFirst.class, q -> "answer to " + q);
        assertThat(bound.ask("q")).isEqualTo("answer to q");

        Throwable global = catchThrowable(() -> onTheGlobalSettings("guice-own-settings-first").other("q"));
        assertThat(global).as("defined in the binding's settings only").isNull();
        Throwable sameSettings = catchThrowable(() -> dev.rebound.runtime.Rebound.wrap(OwnSettingsBudgets.Other.class,
                (OwnSettingsBudgets.Other) q -> q).withRetry(dev.rebound.runtime.RetryPolicy.builder().attempts(2)
                        .budget("guice-own-settings-first").budgetRatio(0.2).build()).settings(own).build());
        assertThat(sameSettings).isInstanceOf(ReboundConfigurationException.class);
        assertThat(((ReboundConfigurationException) sameSettings).problems()).containsExactly("Rebound.wrap(Other): "
                + "budget names retry budget \"guice-own-settings-first\" (budgetRatio 0.5, budgetMinPerSecond 1) with "
                + "budgetRatio 0.2, budgetMinPerSecond 1; every method naming a budget must give it the same values");
    }

    /** The other way round: a budget and key the global settings define leave a binding on its own settings free. */
    @Test
    void aBudgetAndKeyOfTheGlobalSettingsLeaveABindingOnSettingsOfItsOwnFree() {
        assertThat(onTheGlobalSettings("guice-own-settings-after").other("q")).isEqualTo("q");

        OwnSettingsBudgets.BoundAfter bound = boundOn(dev.rebound.runtime.ReboundSettings.builder().logging(false)
                .build(), OwnSettingsBudgets.BoundAfter.class, q -> "answer to " + q);
        assertThat(bound.ask("q")).isEqualTo("answer to q");
    }

    /**
     * Guice prunes the stack trace of every failure that crosses its interception, walking its causes. Rebound's
     * interceptor, the last of the method's chain, runs each attempt by Guice's own call of the method, so a failure
     * whose {@code getCause()} throws reaches Rebound as itself, judged by itself as the other doors judge it
     * ({@code ClassifierTest.aFailureWhoseCauseCannotBeReadIsJudgedByItselfAndReachesTheCallerAsItIs}): retried here;
     * only the caller's failure crosses Guice's outer level, and reaches the caller as what its pruning threw
     * (guice.md). With an interceptor bound after Rebound's, each attempt crosses Guice's invocation: Rebound gets
     * what the pruning threw, judged as that.
     */
    @Test
    void aFailureWhoseGetCauseThrowsIsJudgedByItselfAndReachesTheCallerAsWhatGuicesPruningThrew() {
        BrokenCauseChat chat = Guice.createInjector(new ReboundModule()).getInstance(BrokenCauseChat.class);

        assertThat(chat.chat("q")).isEqualTo("answer: q");
        assertThat(chat.calls).as("a failure its retry names: retried").containsExactly("q", "q");

        BrokenCauseChat down = Guice.createInjector(new ReboundModule()).getInstance(BrokenCauseChat.class);
        down.down = true;
        Throwable thrown = catchThrowable(() -> down.chat("q"));
        assertThat(thrown).as("the caller's failure, pruned by Guice's outer level")
                .isInstanceOf(IllegalStateException.class).hasMessage("getCause broke");
        assertThat(down.calls).containsExactly("q", "q");

        BrokenCauseChat after = Guice.createInjector(new ReboundModule(), new ListenerBoundInterceptor(
                com.google.inject.matcher.Matchers.annotatedWith(dev.rebound.annotations.Retry.class),
                org.aopalliance.intercept.MethodInvocation::proceed)).getInstance(BrokenCauseChat.class);
        thrown = catchThrowable(() -> after.chat("q"));
        assertThat(thrown).isInstanceOf(IllegalStateException.class).hasMessage("getCause broke");
        assertThat(after.calls).as("with an interceptor after Rebound's: not a failure its retry names, not retried")
                .containsExactly("q");
    }

    @Test
    void inAChildInjectorAClassTheParentConstructsIsWarnedAboutAndBindingItInTheChildCoversIt() {
        Injector parent = Guice.createInjector(new Endpoints());
        String[] log = new String[1];
        log[0] = StdErr.during(() -> {
            PlainChat chat = parent.createChildInjector(new ReboundModule(), new AbstractModule() {
                @Override
                protected void configure() {
                    bind(PlainChat.class).to(PlainGpt4.class); // PlainGpt4: a just-in-time binding of the parent
                }
            }).getInstance(PlainChat.class);
            assertThatThrownBy(() -> chat.chat("hi")).hasMessage("gpt-4 unavailable (call 1)");
        });
        assertThat(StdErr.count(log[0], "WARN dev.rebound - ReboundModule: PlainChat's policies do not apply to the"
                + " instance bound at ")).isEqualTo(1);
        assertThat(log[0]).contains(": its PlainGpt4 is constructed by an injector without ReboundModule (a"
                + " parent's just-in-time binding, when this is a child injector). Install ReboundModule in that"
                + " injector, or bind PlainGpt4 in this one");

        FakeLlm.reset();
        gpt4IsDown();
        Injector fresh = Guice.createInjector(new Endpoints()); // the first child left a just-in-time PlainGpt4 in parent
        log[0] = StdErr.during(() -> assertRetriedThenFellBack(fresh.createChildInjector(new ReboundModule(),
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(PlainChat.class).to(PlainGpt4.class);
                        bind(PlainGpt4.class);
                    }
                }).getInstance(PlainChat.class)));
        assertThat(log[0]).doesNotContain("policies do not apply");

        log[0] = StdErr.during(() -> {
            Guice.createInjector().createChildInjector(new ReboundModule(), new AbstractModule() {
                @Override
                protected void configure() {
                    bind(dev.rebound.it.woven.WovenChat.class).to(dev.rebound.it.woven.WovenChat.Gpt4.class);
                }
            }).getInstance(dev.rebound.it.woven.WovenChat.class);
            Guice.createInjector(new ReboundModule(), new Endpoints()).createChildInjector(new AbstractModule() {
                @Override
                protected void configure() {
                    install(new ReboundModule()); // equal to the parent's: the parent's intercepts PlainGpt4
                    bind(PlainChat.class).to(PlainGpt4.class);
                }
            }).getInstance(PlainChat.class);
        });
        assertThat(log[0]).as("a woven target, or one a parent with ReboundModule constructs")
                .doesNotContain("policies do not apply");
    }

    @Test
    void twoReboundModulesWithOtherSettingsAreRefusedAtCreationSinceEachWouldApplyEveryPolicy() {
        dev.rebound.runtime.ReboundSettings own = dev.rebound.runtime.ReboundSettings.builder().build();
        AbstractModule constructed = new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).to(PlainGpt4.class);
            }
        };
        Throwable nothingBuiltYet = catchThrowable(() -> Guice.createInjector(new ReboundModule(),
                new ReboundModule(own), new Endpoints()));
        Throwable settingsTwice = catchThrowable(() -> Guice.createInjector(new ReboundModule(),
                new ReboundModule(own), constructed, new Endpoints()));
        Throwable overridden = catchThrowable(() -> Guice.createInjector(com.google.inject.util.Modules.override(
                new ConstructedChatModule(), new Endpoints()).with(new ReboundModule(own))));
        Injector parent = Guice.createInjector(new ReboundModule());
        Throwable parentAndChild = catchThrowable(() -> parent.createChildInjector(new ReboundModule(own),
                constructed, new Endpoints()));

        for (Throwable refused : new Throwable[] {nothingBuiltYet, settingsTwice, overridden, parentAndChild}) {
            assertThat(refused).isInstanceOf(CreationException.class).hasMessageContaining(
                    "ReboundModule: one set of settings per injector. Two ReboundModules with different"
                            + " ReboundSettings would each apply every policy (3 attempts become 9); install one,"
                            + " e.g. ReboundModule.wrapping(settings, moduleA, moduleB)");
        }
        assertThat(FakeLlm.calls()).isEmpty();
    }

    @Test
    void reboundModulesWithTheSameSettingsApplyEveryPolicyOnce() {
        AbstractModule constructed = new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).to(PlainGpt4.class);
            }
        };
        List<Injector> injectors = List.of(
                Guice.createInjector(new ReboundModule(), new ConstructedChatModule(), new Endpoints()),
                Guice.createInjector(ReboundModule.wrapping(new ReboundModule(), new Endpoints(), new ChatModule())),
                Guice.createInjector(new ReboundModule(), ReboundModule.wrapping(new Endpoints(), constructed)),
                Guice.createInjector(ReboundModule.wrapping(new Endpoints()), ReboundModule.wrapping(constructed)),
                Guice.createInjector(com.google.inject.util.Modules.override(new ConstructedChatModule(),
                        new Endpoints()).with(new ReboundModule())),
                Guice.createInjector(new ReboundModule(), new Endpoints(), new PrivateModule() {
                    @Override
                    protected void configure() {
                        install(new ReboundModule());
                        bind(PlainChat.class).to(PlainGpt4.class);
                        bind(PlainGpt4.class); // constructed here, where both modules' listeners hear it
                        expose(PlainChat.class);
                    }
                }));
        for (Injector injector : injectors) {
            FakeLlm.reset();
            gpt4IsDown();
            assertRetriedThenFellBack(injector.getInstance(PlainChat.class));
        }
    }

    /** Run in a JVM of its own: Guice reads its bytecode flag once. */
    public static final class WithoutBytecodeGeneration {
        public static void main(String[] args) {
            Injector injector = Guice.createInjector(new ConstructedChatModule(), new Endpoints(),
                    new AbstractModule() {
                        @Override
                        protected void configure() {
                            bind(dev.rebound.it.woven.WovenChat.class).to(dev.rebound.it.woven.WovenChat.Gpt4.class);
                        }
                    });
            System.out.println("created; woven resilient: "
                    + dev.rebound.runtime.Rebound.isResilient(injector.getInstance(dev.rebound.it.woven.WovenChat.class)));
        }
    }

    @Test
    void withGuicesBytecodeGenerationOffItSaysWhichClassesRunWithoutInterceptorsAndLeavesWovenOnesToTheirAspect()
            throws Exception {
        String launcher = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(launcher, "-Dguice_bytecode_gen_option=DISABLED", "-cp",
                System.getProperty("java.class.path"), WithoutBytecodeGeneration.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(child.waitFor()).isZero();
        assertThat(out).contains("created; woven resilient: true")
                .containsOnlyOnce("WARN dev.rebound - ReboundModule: Guice's bytecode generation is off"
                        + " (-Dguice_bytecode_gen_option=DISABLED), so it runs no interceptor:"
                        + " dev.rebound.it.plain.PlainGpt4's policies apply only where the engine calls it as an"
                        + " alternative or ReboundModule.wrapping(...) wraps it; turn it on, or weave the class")
                .doesNotContain("WovenChat$Gpt4's policies");
    }

    @Test
    void itSaysNothingOfBindingsItCoversOrWhoseInstanceIsResilientAlready() {
        String log = StdErr.during(() -> {
            Guice.createInjector(ReboundModule.wrapping(new Endpoints(), new ChatModule()))
                    .getInstance(PlainChat.class);
            Guice.createInjector(new ConstructedChatModule(), new Endpoints()).getInstance(PlainChat.class);
            PlainChat wrapped = Guice.createInjector(new ReboundModule(), new Endpoints(), new AbstractModule() {
                @Provides
                PlainChat chat(@jakarta.inject.Named("gpt-4") Endpoint endpoint) {
                    return dev.rebound.runtime.Rebound.wrap(PlainChat.class, new PlainGpt4(endpoint))
                            .withRetry(dev.rebound.runtime.RetryPolicy.builder().attempts(2).build()).build();
                }
            }).getInstance(PlainChat.class);
            assertThat(dev.rebound.runtime.Rebound.isResilient(wrapped)).isTrue();
        });

        assertThat(log).doesNotContain("policies do not apply");
    }

    @Test
    void anAlternativeTheInjectorBindsToASubclassWithPoliciesOfItsOwnIsWarnedAtCreationNotAtTheFirstFallback() {
        FakeLlm.failFirst("gpt-3.5", 1);
        Injector[] injector = new Injector[1];
        String log = StdErr.during(() -> injector[0] = Guice.createInjector(new ConstructedChatModule(),
                new Endpoints(), new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(dev.rebound.it.plain.PlainGpt35.class).to(dev.rebound.it.plain.PatientGpt35.class);
                    }
                }));
        String atFallback = StdErr.during(() -> assertRetriedThenFellBack(injector[0].getInstance(PlainChat.class)));

        assertThat(atFallback).as("said once, at creation").doesNotContain("@Fallback.to names");
        assertThat(log).containsOnlyOnce("WARN dev.rebound - ReboundModule: @Fallback.to names PlainGpt35, which the"
                + " injector binds to PatientGpt35: as an alternative it runs the policies of PlainGpt35 (read from"
                + " the class @Fallback.to names), not those PatientGpt35 declares; name PatientGpt35 in"
                + " @Fallback.to");
        String plain = StdErr.during(() -> Guice.createInjector(new ConstructedChatModule(), new Endpoints())
                .getInstance(PlainChat.class).chat("hi"));
        assertThat(plain).doesNotContain("@Fallback.to names");
    }

    @Test
    void theModuleCanRunOnItsOwnSettings() {
        dev.rebound.runtime.testing.VirtualTimeSource ownClock = new dev.rebound.runtime.testing.VirtualTimeSource();
        Injector injector = Guice.createInjector(
                new ReboundModule(dev.rebound.runtime.ReboundSettings.builder().timeSource(ownClock).build()),
                new Endpoints());

        assertRetriedThenFellBack(injector.getInstance(PlainGpt4.class));
        assertThat(ownClock.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200),
                Duration.ofMillis(100));
        assertThat(clock.sleeps()).isEmpty();
    }

    @Test
    void wrappingCoversToInstance() {
        PlainChat chat = Guice.createInjector(ReboundModule.wrapping(new Endpoints(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).toInstance(new PlainGpt4(new Endpoint("gpt-4")));
            }
        })).getInstance(PlainChat.class);

        assertRetriedThenFellBack(chat);
    }

    /** ReboundModule's Javadoc: it applies @RateLimit too, both ways in (the breaker: CircuitBreakerDoorsTest). */
    @Test
    void bothWaysInApplyARateLimit() {
        PlainRateLimited.CALLS.clear();
        Injector injector = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainRateLimited.Constructed.class).to(PlainRateLimited.ConstructedChat.class);
                bind(PlainRateLimited.Provided.class).toInstance(prompt -> {
                    PlainRateLimited.CALLS.add("provided");
                    return "provided: " + prompt;
                });
            }
        }));
        PlainRateLimited.Constructed constructed = injector.getInstance(PlainRateLimited.Constructed.class);
        PlainRateLimited.Provided provided = injector.getInstance(PlainRateLimited.Provided.class);

        assertThat(constructed.chat("a")).isEqualTo("constructed: a");
        assertThat(catchThrowable(() -> constructed.chat("b"))).isInstanceOf(RateLimitRefusedException.class)
                .hasMessage("rate limit \"guice-constructed\" refused Constructed.chat(String): the wait is longer "
                        + "than the 0 ms allowed");
        assertThat(provided.chat("a")).isEqualTo("provided: a");
        assertThat(catchThrowable(() -> provided.chat("b"))).isInstanceOf(RateLimitRefusedException.class)
                .hasMessage("rate limit \"guice-provided\" refused Provided.chat(String): the wait is longer "
                        + "than the 0 ms allowed");
        assertThat(PlainRateLimited.CALLS).containsExactly("constructed", "provided");
    }

    private static void assertFiveAttemptsThenFellBack(PlainChat chat) {
        assertThat(chat.chat("hi")).isEqualTo("gpt-3.5: hi");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3", "gpt-4 #4", "gpt-4 #5",
                "gpt-3.5 #1", "gpt-3.5 #2");
    }

    @Test
    void aClassMethodAnnotationWinsOverTheInterfacesThroughInstall() {
        PlainChat chat = Guice.createInjector(new ReboundModule(), new Endpoints(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).to(dev.rebound.it.plain.PatientGpt4.class);
            }
        }).getInstance(PlainChat.class);

        assertFiveAttemptsThenFellBack(chat);
    }

    @Test
    void aClassMethodAnnotationWinsOverTheInterfacesThroughWrapping() {
        PlainChat chat = Guice.createInjector(ReboundModule.wrapping(new Endpoints(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).toInstance(new dev.rebound.it.plain.PatientGpt4(new Endpoint("gpt-4")));
            }
        })).getInstance(PlainChat.class);

        assertFiveAttemptsThenFellBack(chat);
    }

    @Test
    void anInstanceAlreadyWrappedByReboundIsNotWrappedAgain() {
        PlainChat wrapped = dev.rebound.runtime.Rebound.wrap(PlainChat.class,
                (PlainChat) new PlainGpt4(new Endpoint("gpt-4")))
                .withRetry(dev.rebound.runtime.RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .build();
        PlainChat chat = Guice.createInjector(ReboundModule.wrapping(new Endpoints(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).toInstance(wrapped);
            }
        })).getInstance(PlainChat.class);

        assertThat(chat).isSameAs(wrapped);
        assertThat(dev.rebound.runtime.Rebound.isGenerated(wrapped)).as("PlainChat$$Rebound").isTrue();
        assertThat(catchThrowable(() -> chat.chat("hi"))).isNotNull();
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2");
    }

    static final class HandMadeGpt4 implements Provider<PlainChat> {
        @Override
        public PlainChat get() {
            return new PlainGpt4(new Endpoint("gpt-4"));
        }
    }

    @Test
    void wrappingCoversToProvider() {
        Injector injector = Guice.createInjector(ReboundModule.wrapping(new Endpoints(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).toProvider(HandMadeGpt4.class);
            }
        }));

        assertRetriedThenFellBack(injector.getInstance(PlainChat.class));
    }

    @Test
    void aSingletonKeepsOneWrapper() {
        Injector injector = Guice.createInjector(ReboundModule.wrapping(new Endpoints(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).toInstance(new PlainGpt4(new Endpoint("gpt-4")));
            }
        }));

        assertThat(injector.getInstance(PlainChat.class)).isSameAs(injector.getInstance(PlainChat.class));
    }

    @Test
    void installedWithoutWrappingAnInstanceBindingIsNotCovered() {
        PlainChat chat = Guice.createInjector(new ReboundModule(), new Endpoints(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(PlainChat.class).toInstance(new PlainGpt4(new Endpoint("gpt-4")));
            }
        }).getInstance(PlainChat.class);

        assertThatThrownBy(() -> chat.chat("hi")).hasMessage("gpt-4 unavailable (call 1)");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1");
    }

    @Test
    void wrappingAnInterceptedBindingAppliesThePolicyOnce() {
        PlainChat chat = Guice.createInjector(ReboundModule.wrapping(new Endpoints(), new AbstractModule() {
            @Provides
            PlainChat chat(PlainGpt4 constructedByTheInjector) {
                return constructedByTheInjector;
            }
        })).getInstance(PlainChat.class);

        assertRetriedThenFellBack(chat);
    }

    @Test
    void installingTheModuleTwiceInterceptsOnce() {
        Injector injector = Guice.createInjector(new ReboundModule(), new ReboundModule(), new Endpoints());

        assertRetriedThenFellBack(injector.getInstance(PlainGpt4.class));
    }

    @Test
    void misconfigurationFailsInjectorCreationNamingMethodAndAttribute() {
        Throwable thrown = catchThrowable(() -> Guice.createInjector(new ReboundModule(), new Endpoints(),
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(BrokenChat.class).to(BrokenChat.Impl.class);
                    }
                }));

        assertThat(thrown).isInstanceOf(CreationException.class);
        assertThat(thrown.getMessage())
                .contains("BrokenChat.chat(String): @Retry.attempts = 0 is outside 1..100")
                .contains("BrokenChat.chat(String): @Fallback.to PlainGpt35 does not implement BrokenChat");
    }

    @Test
    void misconfigurationOfAWrappedBindingFailsInjectorCreationToo() {
        Throwable thrown = catchThrowable(() -> Guice.createInjector(ReboundModule.wrapping(new Endpoints(),
                new AbstractModule() {
                    @Provides
                    BrokenChat chat() {
                        return prompt -> prompt;
                    }
                })));

        assertThat(thrown).isInstanceOf(CreationException.class)
                .hasMessageContaining("BrokenChat.chat(String): @Retry.attempts = 0 is outside 1..100");
    }

    /**
     * Classes from a jar whose build never ran the annotation processor (javac -proc:none). {@code Helper}
     * has policies on a protected, a package-private and a static method: no door applies them.
     * {@code Relay} has one on a public helper that its interface's method calls.
     */
    static final String UNREACHED = """
            package rv;

            import dev.rebound.annotations.CircuitBreaker;
            import dev.rebound.annotations.Retry;

            public final class Rv {
                public interface Ask {
                    @CircuitBreaker
                    String ask(String prompt);
                }

                public static class Helper implements Ask {
                    @Override
                    public String ask(String prompt) {
                        return attempt(prompt);
                    }

                    @Retry(attempts = 3, delay = 100, jitter = false)
                    protected String attempt(String prompt) {
                        throw new IllegalStateException("down");
                    }

                    @CircuitBreaker
                    String probe() {
                        return "up";
                    }

                    @Retry
                    public static String warm() {
                        return "warm";
                    }
                }

                public static class Relay implements Ask {
                    public int calls;

                    @Override
                    public String ask(String prompt) {
                        return attempt(prompt);
                    }

                    @Retry(attempts = 3, delay = 100, jitter = false)
                    public String attempt(String prompt) {
                        calls++;
                        throw new IllegalStateException("down");
                    }
                }
            }
            """;

    static final List<String> UNREACHED_PROBLEMS = List.of(
            "Helper.attempt(String): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to public methods only",
            "Helper.probe(): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to public methods only",
            "Helper.warm(): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to instance methods only");

    @Test
    void policiesOnNonPublicOrStaticMethodsAreRefusedAtInjectorCreationInWrapsWordsNotDropped(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ClassLoader loader = new Javac(dir).load("Rv", UNREACHED);
        Class<Object> ask = nested(loader, "Ask");
        Class<Object> helper = nested(loader, "Helper");
        Throwable byWrap = catchThrowable(() -> dev.rebound.runtime.Rebound.wrap(ask,
                helper.getConstructor().newInstance()).build());
        assertThat(((ReboundConfigurationException) byWrap).problems())
                .containsExactlyInAnyOrderElementsOf(UNREACHED_PROBLEMS);

        // the injector constructs the class: Guice would intercept none of them, nor would the aspect
        Throwable constructed = catchThrowable(() -> Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(ask).to(helper);
            }
        }));
        assertThat(messages(constructed)).containsExactlyInAnyOrderElementsOf(UNREACHED_PROBLEMS);
        // bound just in time: refused when the injector is asked for it, before any instance is made
        Throwable justInTime = catchThrowable(() -> Guice.createInjector(new ReboundModule()).getInstance(helper));
        assertThat(justInTime).isInstanceOf(com.google.inject.ConfigurationException.class);
        assertThat(((com.google.inject.ConfigurationException) justInTime).getErrorMessages())
                .extracting(com.google.inject.spi.Message::getMessage)
                .containsExactlyInAnyOrderElementsOf(UNREACHED_PROBLEMS);

        // an instance it wraps: refused at creation, or through a provider when it is provided
        Object instance = helper.getConstructor().newInstance();
        Throwable wrapped = catchThrowable(() -> Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(ask).toInstance(instance);
            }
        })));
        assertThat(messages(wrapped)).containsExactlyInAnyOrderElementsOf(UNREACHED_PROBLEMS);
        Injector provided = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(ask).toProvider((Provider<Object>) () -> instance);
            }
        }));
        Throwable provision = catchThrowable(() -> provided.getInstance(ask));
        assertThat(provision).isInstanceOf(com.google.inject.ProvisionException.class)
                .hasRootCauseInstanceOf(ReboundConfigurationException.class);
        assertThat(((ReboundConfigurationException) rootCause(provision)).problems())
                .containsExactlyInAnyOrderElementsOf(UNREACHED_PROBLEMS);
    }

    /**
     * A public method that no interface method is (a helper the interface's method calls): Guice applies
     * its policy to a class it constructs; the wrapper of an instance never calls it, which a WARN says
     * in Rebound.wrap's words.
     */
    @Test
    void aPolicyOnAPublicHelperIsAppliedToAClassTheInjectorConstructsAndWarnedAboutWhenWrapped(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ClassLoader loader = new Javac(dir).load("Rv", UNREACHED);
        Class<Object> ask = nested(loader, "Ask");
        Class<Object> relay = nested(loader, "Relay");
        java.lang.reflect.Method askMethod = ask.getMethod("ask", String.class);
        java.lang.reflect.Field calls = relay.getField("calls");

        Object constructed = Guice.createInjector(new ReboundModule()).getInstance(relay);
        assertThat(catchThrowable(() -> askMethod.invoke(constructed, "hi"))).cause().hasMessage("down");
        assertThat(calls.getInt(constructed)).isEqualTo(3);

        Object instance = relay.getConstructor().newInstance();
        Injector injector = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(ask).toInstance(instance);
            }
        }));
        Object[] wrapper = new Object[1];
        String log = StdErr.during(() -> wrapper[0] = injector.getInstance(ask));
        assertThat(StdErr.count(log, "WARN")).isEqualTo(1);
        assertThat(log).contains("ReboundModule(Ask): Relay.attempt(String) (@Retry) not applied: no method of an"
                + " interface of Relay is that method, so no wrapper calls it (only a door that intercepts the class,"
                + " the aspect or Guice, would apply it); move the annotation to the interface method that calls it,"
                + " or weave the class");
        assertThat(catchThrowable(() -> askMethod.invoke(wrapper[0], "hi"))).cause().hasMessage("down");
        assertThat(calls.getInt(instance)).isEqualTo(1);
    }

    /**
     * An interface whose policies no door applies: on a private and a static interface method (callable only
     * from within the interface), and on the Object methods it redeclares; its implementation's own policy on
     * toString likewise. {@code SUPPRESSED} is replaced by nothing (the processor checks it) or by a
     * {@code @SuppressWarnings("rebound")} (it only generates the interface's Rebound.wrap class).
     */
    static final String NEVER_INTERCEPTED = """
            package rv;

            import dev.rebound.annotations.CircuitBreaker;
            import dev.rebound.annotations.Fallback;
            import dev.rebound.annotations.Retry;

            public final class Rv {
                SUPPRESSED
                public interface Helper {
                    @Retry(attempts = 3, delay = 0)
                    private String helper(String prompt) {
                        return ask(prompt);
                    }

                    @Retry(attempts = 3, delay = 0)
                    static String make(String prompt) {
                        return prompt;
                    }

                    @CircuitBreaker
                    String toString();

                    @Fallback(to = {})
                    boolean equals(Object other);

                    String ask(String prompt);

                    default String chat(String prompt) {
                        return helper(prompt);
                    }
                }

                SUPPRESSED
                public static class HelperImpl implements Helper {
                    public int calls;

                    @Override
                    public String ask(String prompt) {
                        calls++;
                        return prompt;
                    }

                    @Override
                    @Retry(attempts = 2, delay = 0)
                    public int hashCode() {
                        return 1;
                    }
                }
            }
            """;

    static final List<String> NEVER_INTERCEPTED_PROBLEMS = List.of(
            "Helper.equals(Object): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals, hashCode"
                    + " and toString: no door intercepts Object's methods",
            "Helper.helper(String): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to public methods only",
            "Helper.make(String): @Retry, @Fallback, @CircuitBreaker and @RateLimit apply to instance methods only",
            "Helper.toString(): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals, hashCode"
                    + " and toString: no door intercepts Object's methods",
            "HelperImpl.hashCode(): @Retry, @Fallback, @CircuitBreaker and @RateLimit do not apply to equals, hashCode"
                    + " and toString: no door intercepts Object's methods");

    /**
     * The processor refuses them at compile time; Rebound.wrap (its generated class and its JDK proxy) at
     * build(), and Guice at the injector's creation, in the same words, rather than dropping them.
     */
    @Test
    void policiesNoDoorInterceptsOnAnInterfaceAreRefusedByTheProcessorWrapAndGuiceInOneWording(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Javac javac = new Javac(dir);
        assertThat(javac.errors("Rv", NEVER_INTERCEPTED.replace("SUPPRESSED", "")))
                .containsExactlyInAnyOrderElementsOf(NEVER_INTERCEPTED_PROBLEMS);

        // a build that skipped the check: the processor still wrote the interface's Rebound.wrap class
        ClassLoader loader = javac.loadFrom("suppressed", "Rv",
                NEVER_INTERCEPTED.replace("SUPPRESSED", "@SuppressWarnings(\"rebound\")"), true);
        Class<Object> helper = nested(loader, "Helper");
        Class<Object> impl = nested(loader, "HelperImpl");
        Object target = impl.getConstructor().newInstance();
        for (boolean proxy : new boolean[] {false, true}) {
            dev.rebound.runtime.Rebound.Builder<Object> b = dev.rebound.runtime.Rebound.wrap(helper, target);
            Throwable byWrap = catchThrowable((proxy ? b.viaJdkProxy() : b)::build);
            assertThat(byWrap).as("proxy: %s", proxy).isInstanceOf(ReboundConfigurationException.class);
            assertThat(((ReboundConfigurationException) byWrap).problems()).as("proxy: %s", proxy)
                    .containsExactlyElementsOf(NEVER_INTERCEPTED_PROBLEMS);
        }
        assertThat(loader.loadClass(helper.getName() + "$$Rebound")).as("the generated class exists").isNotNull();

        Throwable constructed = catchThrowable(() -> Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(helper).to(impl);
            }
        }));
        assertThat(messages(constructed)).containsExactlyInAnyOrderElementsOf(NEVER_INTERCEPTED_PROBLEMS);
        Throwable wrapped = catchThrowable(() -> Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(helper).toInstance(target);
            }
        })));
        assertThat(messages(wrapped)).containsExactlyInAnyOrderElementsOf(NEVER_INTERCEPTED_PROBLEMS);
        assertThat(impl.getField("calls").getInt(target)).isZero();
    }

    /** A type nested in {@code rv.Rv} of {@link #UNREACHED}. */
    @SuppressWarnings("unchecked")
    private static Class<Object> nested(ClassLoader loader, String name) throws ClassNotFoundException {
        return (Class<Object>) loader.loadClass("rv.Rv$" + name);
    }

    private static List<String> messages(Throwable creation) {
        assertThat(creation).isInstanceOf(CreationException.class);
        return ((CreationException) creation).getErrorMessages().stream()
                .map(com.google.inject.spi.Message::getMessage).toList();
    }

    private static Throwable rootCause(Throwable t) {
        return t.getCause() == null ? t : rootCause(t.getCause());
    }

    @Test
    void anAlternativeTheInjectorCannotMakeFailsCreationNamingMethodAndAttributeAsWrapDoes() {
        String method = "AbstractFallbackChat.chat(String): @Fallback.to " + AbstractFallbackChat.Backup.class.getName()
                + " cannot be provided: ";
        Throwable byWrap = catchThrowable(() -> dev.rebound.runtime.Rebound.wrap(AbstractFallbackChat.class,
                new AbstractFallbackChat.Impl()).build());
        assertThat(((dev.rebound.runtime.ReboundConfigurationException) byWrap).problems()).containsExactly(method
                + AbstractFallbackChat.Backup.class.getName() + " is abstract");

        String byInjector = method + "the injector cannot make it (No implementation for "
                + AbstractFallbackChat.Backup.class.getName() + " was bound.)";
        Throwable installed = catchThrowable(() -> Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(AbstractFallbackChat.class).to(AbstractFallbackChat.Impl.class);
            }
        }));
        Throwable wrapped = catchThrowable(() -> Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Provides
            AbstractFallbackChat chat() {
                return new AbstractFallbackChat.Impl();
            }
        })));
        for (Throwable refused : new Throwable[] {installed, wrapped}) {
            assertThat(refused).isInstanceOf(CreationException.class);
            assertThat(((CreationException) refused).getErrorMessages())
                    .extracting(com.google.inject.spi.Message::getMessage).containsExactly(byInjector);
        }
        // a class the injector binds just in time after its creation: refused when asked for, in the same words
        Injector later = Guice.createInjector(new ReboundModule());
        assertThatThrownBy(() -> later.getInstance(AbstractFallbackChat.Impl.class))
                .isInstanceOf(com.google.inject.ConfigurationException.class).satisfies(e -> assertThat(
                        ((com.google.inject.ConfigurationException) e).getErrorMessages())
                        .extracting(com.google.inject.spi.Message::getMessage).containsExactly(byInjector));
    }

    @Test
    void anAlternativeWhoseDependencyNoModuleBindsFailsCreationNamingMethodAttributeAndTheDependency() {
        Throwable refused = catchThrowable(() -> Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(dev.rebound.it.plain.DependentFallbackChat.class)
                        .to(dev.rebound.it.plain.DependentFallbackChat.Impl.class);
            }
        }));

        assertThat(refused).isInstanceOf(CreationException.class);
        assertThat(((CreationException) refused).getErrorMessages()).extracting(com.google.inject.spi.Message::getMessage)
                .containsExactly("DependentFallbackChat.chat(String): @Fallback.to "
                        + dev.rebound.it.plain.DependentFallbackChat.NeedsDep.class.getName()
                        + " cannot be provided: the injector cannot make it (No implementation for "
                        + dev.rebound.it.plain.DependentFallbackChat.Dep.class.getName() + " was bound.)");
    }

    @Test
    void anAbstractAlternativeThatAnotherModuleBindsIsMadeByTheInjector() {
        AbstractModule backup = new AbstractModule() {
            @Override
            protected void configure() {
                bind(AbstractFallbackChat.Backup.class).to(AbstractFallbackChat.BoundBackup.class);
            }
        };
        AbstractFallbackChat installed = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(AbstractFallbackChat.class).to(AbstractFallbackChat.Impl.class);
            }
        }, backup).getInstance(AbstractFallbackChat.class);
        AbstractFallbackChat wrapped = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Provides
            AbstractFallbackChat chat() {
                return new AbstractFallbackChat.Impl();
            }
        }), backup).getInstance(AbstractFallbackChat.class);

        assertThat(installed.chat("q")).isEqualTo("bound backup: q");
        assertThat(wrapped.chat("q")).isEqualTo("bound backup: q");
    }

    /** Sealed: only the classes it permits may implement it. */
    public sealed interface SealedChat permits SealedChatImpl {
        @dev.rebound.annotations.Retry(attempts = 3, delay = 0)
        String chat(String prompt);
    }

    /** The one class {@link SealedChat} permits. */
    public static final class SealedChatImpl implements SealedChat {
        @Override
        public String chat(String prompt) {
            return prompt;
        }
    }

    /** A class the injector constructs whose policy sits on a final method, which Guice cannot subclass. */
    public static class FinalCall {
        @dev.rebound.annotations.Retry(attempts = 2, delay = 0)
        public final String call() {
            return "";
        }
    }

    @Test
    void aPolicyOnAFinalMethodFailsCreationNamingTheMethodAndTheAnnotations() {
        Throwable thrown = catchThrowable(() -> Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(FinalCall.class);
            }
        }));

        assertThat(thrown).isInstanceOf(CreationException.class);
        assertThat(((CreationException) thrown).getErrorMessages()).singleElement()
                .extracting(com.google.inject.spi.Message::getMessage).isEqualTo("FinalCall.call(): @Retry, @Fallback,"
                + " @CircuitBreaker and @RateLimit apply to non-final methods only under Guice: the method is final in "
                + FinalCall.class.getName() + ", so Guice cannot intercept it; make it non-final or weave the class");
    }

    /**
     * A class Guice constructs but cannot subclass (final, sealed, or with a private constructor to call)
     * is refused at creation in Rebound's words, one error per policy, naming the method and the
     * annotations: else Guice fails on its own ("Unable to method intercept"), naming neither.
     */
    @Test
    void aClassGuiceCannotSubclassFailsCreationNamingEachMethodAndTheAnnotations() {
        String prefix = "@Retry, @Fallback, @CircuitBreaker and @RateLimit apply under Guice only in a class it can"
                + " subclass: ";
        String sealed = GuiceCannotSubclass.SealedChat.class.getName();
        String injected = GuiceCannotSubclass.PrivatelyInjectedChat.class.getName();
        String privateConstructor = ", so Guice cannot intercept its methods; make it package-private or public (for a"
                + " private nested class's default constructor, the class), or weave the class";

        String finalChat = "FinalChat.chat(String): " + prefix + GuiceCannotSubclass.FinalChat.class.getName()
                + " is final, so Guice cannot intercept its methods; make it non-final or weave the class";

        assertThat(creationErrors(GuiceCannotSubclass.FinalChat.class)).containsExactly(finalChat);
        assertThat(creationErrors(GuiceCannotSubclass.SealedChat.class)).containsExactly("SealedChat.chat(String): "
                + prefix + sealed + " is sealed: only the classes it permits may extend it, so Guice cannot intercept"
                + " its methods; make it not sealed, bind a non-sealed class it permits, or weave the class");
        assertThat(creationErrors(GuiceCannotSubclass.PrivatelyInjectedChat.class)).containsExactlyInAnyOrder(
                "PrivatelyInjectedChat.chat(String): " + prefix + "the constructor Guice calls in " + injected
                        + " is private" + privateConstructor,
                "PrivatelyInjectedChat.summarize(String): " + prefix + "the constructor Guice calls in " + injected
                        + " is private" + privateConstructor);
        assertThat(creationErrors(GuiceCannotSubclass.privateNested())).containsExactly("PrivateChat.chat(String): "
                + prefix + "the constructor Guice calls in " + GuiceCannotSubclass.privateNested().getName()
                + " is private" + privateConstructor);
        // just in time, after the creation: the same words; an instance of it is not constructed, so no error
        assertThatThrownBy(() -> Guice.createInjector(new ReboundModule())
                .getInstance(GuiceCannotSubclass.FinalChat.class))
                .isInstanceOf(com.google.inject.ConfigurationException.class).satisfies(e -> assertThat(
                        ((com.google.inject.ConfigurationException) e).getErrorMessages())
                        .extracting(com.google.inject.spi.Message::getMessage).containsExactly(finalChat));
        GuiceCannotSubclass.FinalChat instance = new GuiceCannotSubclass.FinalChat();
        assertThat(Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(GuiceCannotSubclass.FinalChat.class).toInstance(instance);
            }
        }).getInstance(GuiceCannotSubclass.FinalChat.class)).isSameAs(instance);
        // a non-sealed class the sealed one permits is subclassed and intercepted
        assertThat(Guice.createInjector(new ReboundModule()).getInstance(GuiceCannotSubclass.PermittedChat.class))
                .matches(dev.rebound.runtime.Rebound::isResilient);
    }

    /** What ReboundModule says of each policy method of {@link GuiceCannotSubclass.FinalChat}: one. */
    private static final String FINAL_CHAT = "FinalChat.chat(String): @Retry, @Fallback, @CircuitBreaker and"
            + " @RateLimit apply under Guice only in a class it can subclass: "
            + GuiceCannotSubclass.FinalChat.class.getName() + " is final, so Guice cannot intercept its methods; make"
            + " it non-final or weave the class";

    /**
     * Decided per binding, in whichever injector holds it: a final class a PrivateModule constructs, exposed
     * or not, is refused at creation as a top-level binding is, not constructed without its policy.
     */
    @Test
    void aClassGuiceCannotSubclassThatAPrivateModuleConstructsFailsCreationExposedOrNot() {
        assertThat(creationErrors(new PrivateModule() {
            @Override
            protected void configure() {
                bind(GuiceCannotSubclass.FinalChat.class);
                expose(GuiceCannotSubclass.FinalChat.class);
            }
        })).containsExactly(FINAL_CHAT);
        assertThat(creationErrors(new PrivateModule() {
            @Override
            protected void configure() {
                bind(GuiceCannotSubclass.FinalChat.class).asEagerSingleton(); // exposes nothing
            }
        })).containsExactly(FINAL_CHAT);
    }

    /** Decided by the constructor a binding calls, under any key: an annotated one too, said once. */
    @Test
    void aClassGuiceCannotSubclassBoundUnderAnAnnotationToItsConstructorFailsCreation() throws Exception {
        java.lang.reflect.Constructor<GuiceCannotSubclass.FinalChat> constructor =
                GuiceCannotSubclass.FinalChat.class.getConstructor();

        assertThat(creationErrors(new AbstractModule() {
            @Override
            protected void configure() {
                bind(GuiceCannotSubclass.FinalChat.class).annotatedWith(Names.named("chat")).toConstructor(constructor);
                bind(GuiceCannotSubclass.FinalChat.class).annotatedWith(Names.named("summary"))
                        .toConstructor(constructor);
            }
        })).containsExactly(FINAL_CHAT);
    }

    /**
     * The type of an instance gets no interceptor and is no error; if the injector constructs it later (just
     * in time), each provision is refused in the same words, not run without its policy.
     */
    @Test
    void aClassGuiceCannotSubclassFirstMetAsAnInstanceIsRefusedWhenTheInjectorConstructsItLater() {
        GuiceCannotSubclass.FinalChat given = new GuiceCannotSubclass.FinalChat();
        Injector injector = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(GuiceCannotSubclass.FinalChat.class).annotatedWith(Names.named("given")).toInstance(given);
            }
        });
        assertThat(injector.getInstance(Key.get(GuiceCannotSubclass.FinalChat.class, Names.named("given"))))
                .isSameAs(given);

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> injector.getInstance(GuiceCannotSubclass.FinalChat.class))
                    .as("refused at provision, not constructed without the policy").isInstanceOf(com.google.inject.ProvisionException.class).satisfies(e -> assertThat(
                            ((com.google.inject.ProvisionException) e).getErrorMessages())
                            .extracting(com.google.inject.spi.Message::getMessage).containsExactly(FINAL_CHAT));
        }
    }

    /**
     * A child injector runs no hook of ReboundModule's once its bindings are known, so a class Guice cannot
     * subclass that it constructs keeps its interceptor, and Guice fails the child's creation in its own
     * words: loud, never constructed without its policy. An instance of it in the child is no error.
     */
    @Test
    void aClassGuiceCannotSubclassThatAChildInjectorConstructsFailsTheChildsCreationInGuicesWords() {
        Injector parent = Guice.createInjector(new ReboundModule());
        Throwable thrown = catchThrowable(() -> parent.createChildInjector(new AbstractModule() {
            @Override
            protected void configure() {
                bind(GuiceCannotSubclass.FinalChat.class);
            }
        }));

        assertThat(thrown).isInstanceOf(CreationException.class);
        assertThat(((CreationException) thrown).getErrorMessages()).extracting(com.google.inject.spi.Message::getMessage)
                .containsExactly("Unable to method intercept: " + GuiceCannotSubclass.FinalChat.class.getName());
        GuiceCannotSubclass.FinalChat given = new GuiceCannotSubclass.FinalChat();
        assertThat(parent.createChildInjector(new AbstractModule() {
            @Override
            protected void configure() {
                bind(GuiceCannotSubclass.FinalChat.class).annotatedWith(Names.named("given")).toInstance(given);
            }
        }).getInstance(Key.get(GuiceCannotSubclass.FinalChat.class, Names.named("given")))).isSameAs(given);
    }

    /** The messages of the CreationException of an injector with ReboundModule and {@code module}. */
    private static List<String> creationErrors(com.google.inject.Module module) {
        Throwable thrown = catchThrowable(() -> Guice.createInjector(new ReboundModule(), module));
        assertThat(thrown).as("refused at creation, not created without the policy")
                .isInstanceOf(CreationException.class);
        return ((CreationException) thrown).getErrorMessages().stream()
                .map(com.google.inject.spi.Message::getMessage).toList();
    }

    /** The messages of the CreationException of an injector with ReboundModule that constructs {@code type}. */
    private static List<String> creationErrors(Class<?> type) {
        Throwable thrown = catchThrowable(() -> Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            @SuppressWarnings({"unchecked", "rawtypes"})
            protected void configure() {
                bind((Class) type);
            }
        }));
        assertThat(thrown).as(type.getName()).isInstanceOf(CreationException.class);
        return ((CreationException) thrown).getErrorMessages().stream()
                .map(com.google.inject.spi.Message::getMessage).toList();
    }

    @Test
    void aSealedInterfaceBindingIsRefusedAtInjectorCreationInWrapsWords() {
        Throwable thrown = catchThrowable(() -> Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Override
            protected void configure() {
                bind(SealedChat.class).toInstance(new SealedChatImpl());
            }
        })));

        assertThat(thrown).isInstanceOf(CreationException.class);
        // Guice's printed message shortens class names: the error itself carries the words as written
        assertThat(((CreationException) thrown).getErrorMessages()).singleElement()
                .extracting(com.google.inject.spi.Message::getMessage).isEqualTo("ReboundModule.wrapping: type "
                + SealedChat.class.getName() + " is sealed: only the classes it permits may implement it, so no"
                + " wrapper can; wrap an interface that is not sealed, or weave the permitted classes (AspectJ)");
        assertThatThrownBy(() -> dev.rebound.runtime.Rebound.wrap(SealedChat.class, new SealedChatImpl()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Rebound.wrap: type "
                + SealedChat.class.getName() + " is sealed: only the classes it permits may implement it, so no"
                + " wrapper can; wrap an interface that is not sealed, or weave the permitted classes (AspectJ)");
    }
    /**
     * Guice's interception covers a call the instance makes on itself; a wrapper around the interface
     * (Rebound.wrap, or a wrapped binding) covers only calls through the interface. Why the Guice door
     * cannot simply bind an annotated interface to a wrapper over its class: the policy of such a call
     * would be lost, with nothing to say so.
     */
    @Test
    void guiceInterceptionCoversACallTheInstanceMakesOnItselfWhereAnInterfaceWrapperDoesNot() {
        Summarizer intercepted = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Summarizer.class).to(SelfCallingSummarizer.class);
            }
        }).getInstance(Summarizer.class);

        assertThat(intercepted.summarize("x")).isEqualTo("ok: summarize x");
        assertThat(((SelfCallingSummarizer) intercepted).calls).containsExactly("summarize x", "summarize x",
                "summarize x");

        SelfCallingSummarizer target = new SelfCallingSummarizer();
        Summarizer wrapped = dev.rebound.runtime.Rebound.wrap(Summarizer.class, (Summarizer) target).build();

        assertThatThrownBy(() -> wrapped.summarize("x")).hasMessage("down 1");
        assertThat(target.calls).containsExactly("summarize x");
    }

    /** The user's transaction module: its own interceptor, bound with Guice's {@code bindInterceptor}. */
    static final class TransactionModule extends AbstractModule {
        @Override
        protected void configure() {
            bindInterceptor(com.google.inject.matcher.Matchers.any(),
                    com.google.inject.matcher.Matchers.annotatedWith(TransactionBeside.InTransaction.class),
                    new TransactionBeside.TransactionInterceptor());
        }
    }

    /**
     * A user's own interceptor beside ReboundModule runs once, around every attempt: Rebound's interceptor is
     * the innermost, whichever module comes first (Guice runs a module's {@code bindInterceptor} before what a
     * type listener binds). A transaction around a retried method is one transaction for all attempts; with
     * the retry on the method that calls the transactional one, each attempt has its own.
     */
    @Test
    void aUsersOwnInterceptorRunsOnceAroundAllAttemptsWhicheverModuleComesFirst() {
        for (List<com.google.inject.Module> modules : List.of(
                List.<com.google.inject.Module>of(new ReboundModule(), new TransactionModule()),
                List.<com.google.inject.Module>of(new TransactionModule(), new ReboundModule()))) {
            TransactionBeside.reset();
            Injector injector = Guice.createInjector(modules);

            assertThat(injector.getInstance(TransactionBeside.Ledger.class).post("x")).isEqualTo("posted");
            assertThat(TransactionBeside.TRACE).as("ReboundModule " + (modules.get(0) instanceof ReboundModule
                    ? "first" : "last")).containsExactly("begin", "post", "post", "post", "commit");

            TransactionBeside.reset();
            assertThat(injector.getInstance(TransactionBeside.RetriedPoster.class).post("x")).isEqualTo("posted");
            assertThat(TransactionBeside.TRACE).containsExactly("begin", "write", "rollback", "begin", "write",
                    "rollback", "begin", "write", "commit");
        }
    }

    /**
     * The user's transaction module in the shape metrics-guice binds its {@code @Timed}: a type listener that binds
     * its interceptor to each {@code @InTransaction} method it hears ({@code encounter.bindInterceptor}).
     */
    static final class TransactionListenerModule extends ListenerBoundInterceptor {
        TransactionListenerModule() {
            super(com.google.inject.matcher.Matchers.annotatedWith(TransactionBeside.InTransaction.class),
                    new TransactionBeside.TransactionInterceptor());
        }
    }

    /**
     * A user's own interceptor that a type listener binds runs in the order of the listeners, as ReboundModule's
     * does: around all attempts when its module is installed before ReboundModule, inside Rebound's interceptor,
     * once per attempt, when it is installed after it, or given to {@code ReboundModule.wrapping(...)}, which
     * installs what it wraps after its own listener.
     */
    @Test
    void aUsersInterceptorATypeListenerBindsRunsAroundAllAttemptsOnlyWhenItsModuleComesBeforeReboundModule() {
        TransactionBeside.reset();
        Guice.createInjector(new TransactionListenerModule(), new ReboundModule())
                .getInstance(TransactionBeside.Ledger.class).post("x");
        assertThat(TransactionBeside.TRACE).as("installed before ReboundModule: once around all attempts")
                .containsExactly("begin", "post", "post", "post", "commit");

        for (com.google.inject.Module after : List.of(
                com.google.inject.util.Modules.combine(new ReboundModule(), new TransactionListenerModule()),
                ReboundModule.wrapping(new TransactionListenerModule()))) {
            TransactionBeside.reset();
            Guice.createInjector(after).getInstance(TransactionBeside.Ledger.class).post("x");
            assertThat(TransactionBeside.TRACE).as("installed after ReboundModule: once per attempt")
                    .containsExactly("begin", "post", "rollback", "begin", "post", "rollback", "begin", "post",
                            "commit");
        }
    }

    /** Answers through its fallback when the primary is down. */
    public interface Answerer {
        @dev.rebound.annotations.Retry(attempts = 2, delay = 0)
        @dev.rebound.annotations.Fallback(to = BackupAnswerer.class)
        String answer(String question);
    }

    /** The fallback, bound by a {@code @Provides} method: a wrapped binding. */
    public interface BackupAnswerer extends Answerer {
    }

    /** How many wrappers' {@code answer} methods (generated classes or JDK proxies) are on this thread's stack. */
    private static long wrappersOnTheStack() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> f.getMethodName().equals("answer"))
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> java.lang.reflect.Proxy.isProxyClass(c)
                        || dev.rebound.runtime.spi.GeneratedWrapper.class.isAssignableFrom(c))
                .count());
    }

    @Test
    void aWrappedAlternativeIsCalledOnItsOwnInstanceNotThroughItsWrapper() {
        java.util.concurrent.atomic.AtomicInteger primaries = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger backups = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Long> proxies = new java.util.ArrayList<>();
        Injector injector = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Provides
            Answerer primary() {
                return question -> {
                    throw new IllegalStateException("down " + primaries.incrementAndGet());
                };
            }

            @Provides
            @Singleton
            BackupAnswerer backup() {
                backups.incrementAndGet();
                return question -> {
                    proxies.add(wrappersOnTheStack());
                    return "backup: " + question;
                };
            }
        }));
        Answerer answerer = injector.getInstance(Answerer.class);

        assertThat(answerer.answer("a")).isEqualTo("backup: a");
        assertThat(answerer.answer("b")).isEqualTo("backup: b");

        assertThat(primaries).hasValue(4);
        assertThat(backups).as("a singleton alternative is asked for once").hasValue(1);
        // the primary's wrapper only: the engine calls the alternative's instance, once per fallback
        assertThat(proxies).containsExactly(1L, 1L);
        assertThat(dev.rebound.runtime.Rebound.isResilient(injector.getInstance(BackupAnswerer.class)))
                .as("injected, the alternative is wrapped").isTrue();
    }

    @Test
    void aWrappedBindingIsItsInterfacesGeneratedClass() {
        Answerer answerer = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Provides
            Answerer answerer() {
                return question -> "answer: " + question;
            }

            @Provides
            BackupAnswerer backup() {
                return question -> "backup: " + question;
            }
        })).getInstance(Answerer.class);

        assertThat(answerer.getClass().getName()).isEqualTo(Answerer.class.getName() + "$$Rebound");
        assertThat(answerer.answer("a")).isEqualTo("answer: a");
    }

    @Test
    void aWrappedBindingThatAnotherDoorCallsAsItsAlternativeAppliesItsPolicyOnce() {
        java.util.concurrent.atomic.AtomicInteger backups = new java.util.concurrent.atomic.AtomicInteger();
        Injector injector = Guice.createInjector(ReboundModule.wrapping(new AbstractModule() {
            @Provides
            @Singleton
            BackupAnswerer backup() {
                return question -> {
                    throw new IllegalStateException("backup down " + backups.incrementAndGet());
                };
            }
        }));
        assertThat(dev.rebound.runtime.Rebound.isGenerated(injector.getInstance(BackupAnswerer.class))).isTrue();
        // Rebound.wrap's alternatives from the injector, as a user may resolve them
        dev.rebound.runtime.ReboundSettings settings = dev.rebound.runtime.ReboundSettings.builder().logging(false)
                .timeSource(clock).alternatives(injector::getInstance).build();
        IllegalStateException down = new IllegalStateException("primary down");
        Answerer answerer = dev.rebound.runtime.Rebound.wrap(Answerer.class, (Answerer) question -> {
            throw down;
        }).settings(settings).build();

        assertThat(catchThrowable(() -> answerer.answer("a"))).isSameAs(down);
        // the backup's own @Retry, applied once by the engine: its wrapper lets the engine's call through
        // (else 2 attempts of the engine, each 2 of the wrapper and 2 of the wrapper's own fallback: 8)
        assertThat(backups).hasValue(2);
    }

    public interface WovenTalk {
        @dev.rebound.annotations.Retry(attempts = 3)
        @dev.rebound.annotations.Fallback(to = WovenCanned.class)
        String talk(String p);
    }

    public static class WovenCanned implements WovenTalk {
        @Override
        public String talk(String p) {
            return "canned";
        }
    }

    /** Final, as a Lombok {@code @Value} class is: Guice cannot subclass it, so its aspect applies its policy. */
    public static final class FinalWovenDown implements WovenTalk {
        @Override
        public String talk(String p) {
            throw new java.io.UncheckedIOException(new java.net.ConnectException("refused"));
        }
    }

    /** Sealed: Guice cannot subclass it, so its aspect applies its policy. */
    public static sealed class SealedWovenDown implements WovenTalk permits SealedWovenLeaf {
        @Override
        public String talk(String p) {
            throw new java.io.UncheckedIOException(new java.net.ConnectException("refused"));
        }
    }

    public static final class SealedWovenLeaf extends SealedWovenDown {
    }

    /** Made by a private constructor, which Guice's subclass could not call: its aspect applies its policy. */
    public static class PrivatelyInjectedWovenDown implements WovenTalk {
        @jakarta.inject.Inject
        private PrivatelyInjectedWovenDown() {
        }

        @Override
        public String talk(String p) {
            throw new java.io.UncheckedIOException(new java.net.ConnectException("refused"));
        }
    }

    /** As a final woven class: a woven class Guice cannot subclass for another reason is left to its aspect. */
    @Test
    void aWovenClassGuiceCannotSubclassIsLeftToItsAspect() {
        for (Class<? extends WovenTalk> type : List.of(SealedWovenDown.class, PrivatelyInjectedWovenDown.class)) {
            WovenTalk talk = Guice.createInjector(new ReboundModule(), new AbstractModule() {
                @Override
                protected void configure() {
                    bind(WovenTalk.class).to(type);
                }
            }).getInstance(WovenTalk.class);

            assertThat(talk).isExactlyInstanceOf(type);
            assertThat(talk.talk("p")).isEqualTo("canned");
        }
        assertThat(clock.sleeps()).as("the aspect's retry: 2 waits per call").hasSize(4);
    }

    public static class WovenDown implements WovenTalk {
        @Override
        public String talk(String p) {
            throw new java.io.UncheckedIOException(new java.net.ConnectException("refused"));
        }
    }

    /**
     * A woven object the module leaves to its aspect (a final class; an instance under wrapping) runs on
     * the global settings: the module's own settings are not used for it, and a WARN says so once per
     * class, as Rebound.wrap(...).settings(...) over a woven object does.
     */
    @Test
    void aWovenObjectTheModuleLeavesToItsAspectIsWarnedAboutOnceWhenTheModuleHasSettingsOfItsOwn() {
        dev.rebound.runtime.testing.VirtualTimeSource moduleClock = new dev.rebound.runtime.testing.VirtualTimeSource();
        dev.rebound.runtime.ReboundSettings own = dev.rebound.runtime.ReboundSettings.builder().timeSource(moduleClock)
                .logging(false).build();
        String[] answers = new String[3];
        String log = StdErr.during(() -> {
            for (int i = 0; i < 2; i++) {
                answers[i] = Guice.createInjector(new AbstractModule() {
                    @Override
                    protected void configure() {
                        install(new ReboundModule(own));
                        bind(WovenTalk.class).to(FinalWovenDown.class);
                    }
                }).getInstance(WovenTalk.class).talk("p");
            }
            answers[2] = Guice.createInjector(ReboundModule.wrapping(own, new AbstractModule() {
                @Override
                protected void configure() {
                    bind(WovenTalk.class).toInstance(new WovenDown());
                }
            })).getInstance(WovenTalk.class).talk("p");
        });

        assertThat(answers).containsExactly("canned", "canned", "canned");
        assertThat(moduleClock.sleeps()).as("the module's clock").isEmpty();
        assertThat(clock.sleeps()).as("the global clock: 2 waits per call").hasSize(6);
        assertThat(StdErr.count(log, "WARN dev.rebound - ReboundModule: " + FinalWovenDown.class.getName()
                + " is woven and final (Guice cannot subclass it), so its aspect applies its policies with the global"
                + " settings: the module's own settings(...) are not used for it. Give a woven class its clock and"
                + " listeners with ReboundSettings.setGlobal")).isEqualTo(1L);
        assertThat(StdErr.count(log, "WARN dev.rebound - ReboundModule: " + WovenDown.class.getName()
                + " is woven and bound as an instance the injector does not construct, so its aspect applies its"
                + " policies with the global settings")).isEqualTo(1L);
    }
}
