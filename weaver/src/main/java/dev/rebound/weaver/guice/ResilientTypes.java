package dev.rebound.weaver.guice;

import com.google.inject.Binding;
import com.google.inject.ConfigurationException;
import com.google.inject.Inject;
import com.google.inject.Key;
import com.google.inject.Provider;
import com.google.inject.Injector;
import com.google.inject.TypeLiteral;
import com.google.inject.matcher.AbstractMatcher;
import com.google.inject.matcher.Matchers;
import com.google.inject.spi.ConstructorBinding;
import com.google.inject.spi.InjectionPoint;
import com.google.inject.spi.Message;
import com.google.inject.spi.TypeEncounter;
import com.google.inject.spi.ProvisionListener;
import com.google.inject.spi.TypeListener;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.rules.BreakerRules;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.spi.AlternativeUnavailable;
import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.Woven;
import dev.rebound.weaver.internal.DeclaresPolicy;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Attaches an interceptor to each annotated method of every class the injector constructs, with
 * alternatives from the injector. Problems become injector-creation errors. Once the injector's bindings are
 * known, the interception of a class that one qualified binding leads to is named with its qualifier, in events and
 * in the fleet (a private module per provider keeps a breaker each there too), and one that several share, or that
 * none names, is said when its breakers are shared ({@link #created}; a child injector's, which runs no hook of ours,
 * at the first provision of the class there: {@link #nameLater}). Woven classes are left
 * alone: their aspect applies the policy already. As a provision listener (of the constructor bindings of
 * annotated classes) it marks the interceptor chain of each instance it intercepts, for {@code
 * Rebound.isResilient} and the woven door: the chain Guice gives the instances of one binding, and their copies,
 * not their class, since another injector may generate a subclass of the same class for interceptors of its
 * own, and Guice shares one generated subclass between injectors that intercept exactly the same methods of a
 * class.
 */
final class ResilientTypes implements TypeListener, ProvisionListener {

    private final ReboundSettings settings;
    /**
     * The ReboundModule listener that intercepts each type, by the type's encounter: Guice gives every
     * listener of an injector the same encounter for a type, so a second ReboundModule listener is seen on
     * the first type both would intercept: with the same settings it steps aside, with other settings the
     * injector fails. Weak: an encounter lives while its injector is created.
     */
    private static final Map<TypeEncounter<?>, ResilientTypes> HEARD =
            Collections.synchronizedMap(new WeakHashMap<>());

    /** Types said to run without interceptors (bytecode generation off), once each. */
    private final Set<Class<?>> unintercepted = ConcurrentHashMap.newKeySet();
    /** Classes given interceptors, to recognise their instances in {@link ResilientProvider}. */
    private final Set<Class<?>> intercepted = ConcurrentHashMap.newKeySet();

    /**
     * The refusals of each class heard that Guice cannot subclass, kept: a class heard as an instance's type
     * gets no interceptor, and is refused if an injector constructs it later ({@link ConstructedLater}).
     */
    private final Map<Class<?>, List<String>> refusals = new ConcurrentHashMap<>();
    /**
     * The classes Guice cannot subclass heard while the injector is created, each with the injector that heard
     * it (this one, a private module's, whichever holds the binding), asked once every binding is known.
     */
    private final List<Heard> heardWhileCreated = Collections.synchronizedList(new ArrayList<>());
    /** Whether the injector is created: from then on it is asked as it hears a class (not held: it may be dropped). */
    private volatile boolean created;
    /** Refuses the provision of a class Guice cannot subclass that no check refused before. */
    private final ConstructedLater constructedLater = new ConstructedLater();

    /** Where the alternatives named while the injector is created are checked, once its bindings are known. */
    private final AlternativeChecks checks;

    ResilientTypes(ReboundSettings settings, AlternativeChecks checks) {
        this.settings = settings;
        this.checks = checks;
    }

    /** Where the alternatives of the classes it hears are checked. */
    AlternativeChecks checks() {
        return checks;
    }

    @Override
    public <I> void hear(TypeLiteral<I> literal, TypeEncounter<I> encounter) {
        Class<?> type = literal.getRawType();
        if (Policies.isRebound(type) || java.lang.reflect.Proxy.isProxyClass(type)
                || dev.rebound.runtime.spi.GeneratedWrapper.class.isAssignableFrom(type) || !Policies.annotated(type)) {
            // a JDK proxy or a Rebound.wrap class is never constructed by Guice, and applies its policy itself
            return;
        }
        boolean woven = Woven.class.isAssignableFrom(type);
        Unsubclassable unsubclassable = Unsubclassable.of(literal);
        if (woven && unsubclassable != null) {
            if (settings != null) {
                WovenOnGlobalSettings.warnOnce(type, unsubclassable.what() + " (Guice cannot subclass it)");
            }
            return; // Guice can't subclass it: its aspect applies the policy, alternatives as woven classes get them
        }
        ResilientTypes first = HEARD.putIfAbsent(encounter, this);
        if (first != null && first != this) {
            if (first.settings == settings) {
                intercepted.add(type); // an equal module's listener (a PrivateModule's, an override's) applies them
                return;
            }
            encounter.addError(new Message(ReboundModule.ONCE_PER_INJECTOR + " (both intercept " + type.getName()
                    + ")"));
            return;
        }
        Provider<Injector> injector = encounter.getProvider(Injector.class);
        String door = "ReboundModule(" + Policies.simpleName(type) + ")";
        // another type of the class (a type argument, its raw type) that its injector intercepts already: the same
        // policies, one circuit breaker for the class in one injector
        Map<Method, ResilientMethod> shared = created ? interceptedIn(injector, type) : null;
        Map<Method, ResilientMethod> policies = shared != null ? shared : Map.of();
        boolean deferred = !checks.checked();
        Set<Class<?>> alternatives = new LinkedHashSet<>();
        // each alternative made once, while the type is heard: naming the class later resolves its policies again
        // with these, and the encounter may not be used after hear() returns
        Map<Class<?>, Supplier<?>> made = new ConcurrentHashMap<>();
        Function<Class<?>, Supplier<?>> alternativeOf = alternative -> made.computeIfAbsent(alternative, alt -> {
            if (deferred) { // the injector's bindings are not all known yet: checked once they are
                alternatives.add(alt);
                return new InjectedAlternative(alt, null, injector, null, door);
            }
            try {
                // the injector cannot be asked while it hears a type: its binding is looked at on first use
                return new InjectedAlternative(alt, encounter.getProvider(alt), injector, checks, door);
            } catch (ConfigurationException e) { // a just-in-time binding made after the injector
                throw new AlternativeUnavailable(AlternativeChecks.reason(e));
            }
        });
        if (shared == null) {
            // a policy on a static or non-public method: Guice could intercept some, but no other door does
            List<String> problems = new ArrayList<>();
            Policies.unreached(type, problems); // a public helper is intercepted here, as the aspect weaves it
            try {
                policies = Policies.resolveAll(type, type, settings, alternativeOf);
            } catch (ReboundConfigurationException e) {
                problems.addAll(e.problems());
            }
            if (!problems.isEmpty()) {
                problems.forEach(p -> encounter.addError(new Message(p)));
                return;
            }
            checks.defer(type, type, settings, alternatives);
        }
        if (policies.isEmpty()) {
            return;
        }
        if (!bytecodeGenerationEnabled()) {
            if (!woven && unintercepted.add(type)) {
                Policies.warn("ReboundModule: Guice's bytecode generation is off (-Dguice_bytecode_gen_option="
                        + "DISABLED), so it runs no interceptor: " + type.getName() + "'s policies apply only where"
                        + " the engine calls it as an alternative or ReboundModule.wrapping(...) wraps it; turn it on,"
                        + " or weave the class");
            }
            return; // a woven class's aspect applies its policies: Guice never subclasses it
        }
        if (unsubclassable != null) {
            List<String> refused = new ArrayList<>();
            // named by the method Guice cannot intercept, as its class declares it (never a bridge)
            policies.keySet().forEach(m -> refused.add(Rules.at(Policies.describe(m.getDeclaringClass(), m),
                    unsubclassable.problem())));
            if (refuseIfConstructed(literal, refused, injector, encounter)) {
                return;
            }
        }
        // woven advice runs in its methods (a woven class's, a woven interface's default methods)
        boolean advised = woven || DeclaresPolicy.class.isAssignableFrom(type);
        Map<Method, ResilientInterceptor> interceptors = new LinkedHashMap<>();
        policies.forEach((m, policy) -> {
            if (Modifier.isFinal(m.getModifiers())) {
                encounter.addError(new Message(Rules.at(Policies.describe(m.getDeclaringClass(), m),
                        MethodRules.finalUnderGuice(type.getName()))));
                return;
            }
            ResilientInterceptor interceptor = new ResilientInterceptor(policy, advised);
            encounter.bindInterceptor(Matchers.only(m), interceptor);
            interceptors.put(m, interceptor);
            intercepted.add(type);
            // for a woven class, the injector's subclass applies the policy with the injector's alternatives
            // and the woven advice steps aside for the instances this injector makes (marked at provision)
            ContainerInterception.register(type);
        });
        if (shared != null) {
            return; // runs the class's policies, named already
        }
        Interception interception = new Interception(type, door, injector, alternativeOf, List.of(interceptors));
        if (created) { // a child injector's, or a just-in-time binding, or an instance's type: named when constructed
            interceptedLater.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>())
                    .add(new WeakReference<>(interception));
            interceptors.values().forEach(i -> i.keepUntilNamed(interception));
        } else {
            interceptedWhileCreated.add(interception);
        }
    }

    /**
     * The interceptors of one class that one injector constructs (a private module's included), with what resolved
     * their policies, until the bindings that lead to it are known: Guice hears the class once per type it binds
     * there ({@code Box<String>}, {@code Box<Integer>}, the raw {@code Box}), each with interceptors of its own, in
     * {@code byType} (in the order heard), which {@link #joined} gathers, and naming makes run one set of policies:
     * one circuit breaker for the class in its injector.
     */
    private record Interception(Class<?> type, String door, Provider<Injector> injector,
            Function<Class<?>, Supplier<?>> alternatives, List<Map<Method, ResilientInterceptor>> byType) {

        /** One interception of the class for all of {@code heard}, each one of its types in one injector. */
        static Interception joined(List<Interception> heard) {
            Interception first = heard.get(0);
            return heard.size() == 1 ? first : new Interception(first.type, first.door, first.injector,
                    first.alternatives, heard.stream().flatMap(i -> i.byType.stream()).toList());
        }

        /**
         * Named with the qualifier of the one binding that leads to it, in events and in the fleet, as
         * ReboundModule.wrapping names what it provides under a qualifier: its policies resolved anew under that name
         * (the same alternatives, made as the class was heard), which its interceptors run from now on, of every type.
         *
         * @throws ReboundConfigurationException when they cannot be resolved under that name: left as they were
         */
        void qualified(Object qualifier, ReboundSettings settings) {
            Map<Method, ResilientMethod> named = Policies.resolveBinding(type, type, qualifier, door, settings,
                    alternatives);
            byType.forEach(interceptors -> interceptors.forEach((m, interceptor) -> {
                ResilientMethod policy = named.get(m);
                if (policy != null) {
                    interceptor.use(policy);
                }
            }));
        }

        /** Named from now on: its interceptors no longer keep it (nor, through it, the injector). */
        void named() {
            byType.forEach(interceptors -> interceptors.values().forEach(i -> i.keepUntilNamed(null)));
        }

        /**
         * No binding qualifier names it: the interceptors of every type run the first type's policies, and its
         * breakers are the class's in the fleet, said when another shares them.
         */
        void withoutQualifier(ReboundSettings settings) {
            Map<Method, ResilientInterceptor> first = byType.get(0);
            byType.subList(1, byType.size()).forEach(interceptors -> interceptors.forEach((m, interceptor) -> {
                ResilientInterceptor shared = first.get(m);
                if (shared != null) {
                    interceptor.use(shared.policy());
                }
            }));
            Policies.interceptedWithoutQualifier(door, settings, policies());
        }

        /** The policies it runs, one per method. */
        List<ResilientMethod> policies() {
            return byType.get(0).values().stream().map(ResilientInterceptor::policy).toList();
        }
    }

    /** The classes intercepted while the injector is created, named once the bindings leading to each are known. */
    private final List<Interception> interceptedWhileCreated = Collections.synchronizedList(new ArrayList<>());
    /**
     * The classes intercepted since (by a child injector, its private modules, or just in time), every one of each
     * class, until an instance of it is constructed, when the injector that constructs it is known ({@link
     * #nameLater}): Guice hears the class of an instance whose members it injects too, which it never constructs.
     * Held weakly: each is kept by its own interceptors, which a dropped child injector drops with it.
     */
    private final Map<Class<?>, List<WeakReference<Interception>>> interceptedLater = new ConcurrentHashMap<>();

    /** The warnings said about how classes are named (several qualified bindings share one, one cannot): once each. */
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    /**
     * Once every binding of the injector is known: each class intercepted while it was created is named with the
     * qualifier of the one binding that leads to it (a private module's {@code
     * bind(Chat.class).annotatedWith(Names.named("openai")).to(HttpChat.class)}, that module constructing
     * {@code HttpChat}), so that two modules' interceptions of one class keep a breaker each in the fleet, as in the
     * process, and events tell them apart. One that several qualified bindings lead to (one binding of the class, in
     * one injector, for all of them) keeps one breaker for them all, in the process too: said once, naming its
     * methods with a breaker and the remedy, a private module per binding. Without one, its breakers are the
     * class's in the fleet ({@link Policies#interceptedWithoutQualifier}).
     */
    private void nameByQualifiers(Injector injector) {
        List<Interception> heard;
        synchronized (interceptedWhileCreated) {
            heard = List.copyOf(interceptedWhileCreated);
            interceptedWhileCreated.clear();
        }
        if (heard.isEmpty()) {
            return;
        }
        // the types of each class that one injector heard (it, a private module's), to be one interception
        Map<ClassIn, List<Interception>> classes = new LinkedHashMap<>();
        for (Interception i : heard) {
            try {
                classes.computeIfAbsent(new ClassIn(i.injector().get(), i.type()), c -> new ArrayList<>()).add(i);
            } catch (IllegalStateException neverCreated) { // a child injector that failed: it constructs nothing
            }
        }
        List<Injector> injectors = new ArrayList<>();
        classes.keySet().forEach(c -> injectors.add(c.injector()));
        injectors.add(injector);
        QualifiedRoutes routes = new QualifiedRoutes(injectors);
        classes.forEach((c, types) -> {
            if (routes.constructs(c.injector(), c.type())) { // else an instance's type: never run
                name(Interception.joined(types), c.injector(), routes);
            }
        });
    }

    /** A class in the injector (by identity: Guice's injectors do not define equality) that constructs it. */
    private record ClassIn(Injector injector, Class<?> type) {
    }

    /**
     * Names {@code interception}, of a class {@code by} constructs, with the qualifier of the one binding that leads
     * to it; not when a provider binding ({@code @Provides}, {@code toProvider}) injects the class, since what it
     * gives under its qualifier may be another's instance; says when several share it, or when the one cannot name
     * it. Either it is named, or it is filed with the fleet's unnamed breakers: never neither. Then kept in {@link
     * #named}, for the types of the class that {@code by} binds later.
     */
    private void name(Interception interception, Injector by, QualifiedRoutes routes) {
        nameOrFile(interception, by, routes);
        Map<Method, WeakReference<ResilientInterceptor>> running = new LinkedHashMap<>();
        interception.byType().get(0).forEach((m, interceptor) -> running.put(m, new WeakReference<>(interceptor)));
        named.computeIfAbsent(by, i -> new ConcurrentHashMap<>()).putIfAbsent(interception.type(), running);
    }

    private void nameOrFile(Interception interception, Injector by, QualifiedRoutes routes) {
        Map<Object, Key<?>> leading = routes.to(by, interception.type());
        if (leading.size() == 1 && !routes.throughProvider(by, interception.type())) {
            Map.Entry<Object, Key<?>> route = leading.entrySet().iterator().next();
            try {
                interception.qualified(route.getKey(), settings);
                return;
            } catch (ReboundConfigurationException unnamed) { // said, and filed as unnamed below: never silent
                warnUnnamed(interception, route, unnamed.problems());
            }
        } else if (leading.size() > 1) {
            warnShared(interception, leading);
        }
        interception.withoutQualifier(settings);
    }

    /**
     * The classes each injector intercepts, once named: per method, the interceptor whose policy every type of the
     * class there runs, for a type that injector binds later (just in time) to run it too ({@link #interceptedIn}).
     * Weak: a dropped injector (a child, a request's) lets its entries go; an interceptor lives as long as the
     * binding that holds it, and holds no entry.
     */
    private final Map<Injector, Map<Class<?>, Map<Method, WeakReference<ResilientInterceptor>>>> named =
            Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The policies {@code injector} runs {@code type} with, for another type of the class that it hears once it named
     * the class (a type argument bound just in time); null when it has named none of its types yet, or is being
     * created: this one is then named with the others ({@link #nameLater}).
     */
    private Map<Method, ResilientMethod> interceptedIn(Provider<Injector> injector, Class<?> type) {
        Injector by;
        try {
            by = injector.get();
        } catch (IllegalStateException beingCreated) {
            return null;
        }
        Map<Class<?>, Map<Method, WeakReference<ResilientInterceptor>>> classes = named.get(by);
        Map<Method, WeakReference<ResilientInterceptor>> running = classes == null ? null : classes.get(type);
        if (running == null) {
            return null;
        }
        Map<Method, ResilientMethod> policies = new LinkedHashMap<>();
        for (Map.Entry<Method, WeakReference<ResilientInterceptor>> method : running.entrySet()) {
            ResilientInterceptor interceptor = method.getValue().get();
            if (interceptor == null) { // its binding is gone (a just-in-time one that failed): none runs it
                classes.remove(type, running);
                return null;
            }
            policies.put(method.getKey(), interceptor.policy());
        }
        return policies;
    }

    /**
     * Says that the one qualified binding {@code route} that leads to {@code interception} could not name it: its
     * policies, resolved again under that name, had {@code problems} (what changed since the class was heard: a
     * rate-limit key or a retry budget the global settings now define otherwise). It keeps the class's name.
     */
    private static void warnUnnamed(Interception interception, Map.Entry<Object, Key<?>> route, List<String> problems) {
        Class<?> bound = route.getValue().getTypeLiteral().getRawType();
        String impl = Policies.simpleName(interception.type());
        String warning = interception.door() + ": the binding " + Policies.bindingName(bound, bound, route.getKey())
                + " leads to " + impl + ", but its policies cannot be named by it (" + String.join("; ", problems)
                + "): events name it " + impl + ", and its circuit breakers are the class's in the fleet";
        if (SAID.add(warning)) {
            Policies.warn(warning);
        }
    }

    /**
     * At the first provision by {@code binding} of a class intercepted after the injector's creation: the
     * interception of the injector that holds the binding (a child injector's, one of its private modules', the
     * injector's own just-in-time one), known now, is named by the qualified bindings of that injector and its
     * private modules that lead to it, as {@link #nameByQualifiers} names those of the injector's creation. A
     * child's bindings that lead to a class its parent constructs are not seen: that class is named by the parent's
     * alone (Guice runs none of the parent's hooks for a child's linked binding, and the parent's binding provides
     * the class without naming the child or its key). Each interception left unnamed is filed with the fleet's unnamed breakers, so two of them that share
     * a key are said.
     */
    private void nameLater(Binding<?> binding) {
        Class<?> type = ConstructedLater.declaringClass(binding);
        List<WeakReference<Interception>> waiting = interceptedLater.get(type);
        if (waiting == null) {
            return;
        }
        Map<Injector, List<Interception>> ready = new LinkedHashMap<>();
        for (WeakReference<Interception> ref : waiting) {
            Interception interception = ref.get();
            if (interception == null) {
                waiting.remove(ref);
                continue;
            }
            Injector by;
            try {
                by = interception.injector().get();
            } catch (IllegalStateException beingCreated) { // asked again at a later provision
                continue;
            }
            if (by.getExistingBinding(binding.getKey()) == binding && waiting.remove(ref)) {
                ready.computeIfAbsent(by, i -> new ArrayList<>()).add(interception);
            }
        }
        interceptedLater.computeIfPresent(type, (t, left) -> left.isEmpty() ? null : left);
        ready.forEach((by, types) -> { // each injector's types of the class: one interception
            Interception interception = Interception.joined(types);
            interception.named();
            name(interception, by, new QualifiedRoutes(List.of(by)));
        });
    }

    /** Says once that the qualified bindings {@code leading} share the breakers of one interception of a class. */
    private static void warnShared(Interception interception, Map<Object, Key<?>> leading) {
        List<String> methods = interception.policies().stream()
                .filter(p -> p.diagnostics().circuitBreaker() != null).map(ResilientMethod::name).sorted().toList();
        if (methods.isEmpty()) {
            return; // names alone are shared: no state is
        }
        List<String> bindings = leading.entrySet().stream().map(e -> {
            Class<?> bound = e.getValue().getTypeLiteral().getRawType();
            return Policies.bindingName(bound, bound, e.getKey());
        }).sorted().toList();
        String warning = interception.door() + ": " + BreakerRules.sharedByBindings(methods,
                Policies.simpleName(interception.type()), bindings);
        if (SAID.add(warning)) {
            Policies.warn(warning);
        }
    }

    /**
     * Refuses the policies of a class Guice cannot subclass (in {@code problems}) if the injector constructs
     * it; the type of an instance ({@code toInstance}, {@code injectMembers}) is heard too, and is no error.
     * While the injector is created its bindings are not all known: the class waits for
     * {@link #refuseConstructedUnsubclassable} with the injector that heard it. After, the injector is asked
     * at once (a binding made just in time). A child injector cannot be asked while it is created, and runs
     * no hook of ours once its bindings are known: the class gets its interceptors as before, so Guice fails
     * the child's creation on its own if the child constructs it ({@code Unable to method intercept}), and
     * ignores them for an instance. Any later construction of a class that got no interceptor is refused at
     * its provision ({@link ConstructedLater}): never run without its policies.
     *
     * @return whether the type is done with: refused, waiting, or an instance's type
     */
    private boolean refuseIfConstructed(TypeLiteral<?> literal, List<String> problems, Provider<Injector> injector,
            TypeEncounter<?> encounter) {
        Class<?> type = literal.getRawType();
        refusals.putIfAbsent(type, List.copyOf(problems));
        if (!created) {
            heardWhileCreated.add(new Heard(type, injector));
            return true;
        }
        Injector made;
        try {
            made = injector.get();
        } catch (IllegalStateException childBeingCreated) {
            return false;
        }
        // a just-in-time binding, the one being made (not ready to be asked for its constructor), or an instance
        if (made.getExistingBinding(Key.get(literal)) instanceof ConstructorBinding) {
            problems.forEach(p -> encounter.addError(new Message(p)));
        }
        return true;
    }

    /**
     * Once every binding of the injector, of its private modules, is known, at its creation (before any eager
     * singleton is made): names what it intercepted by the qualified bindings leading to it ({@link
     * #nameByQualifiers}) and refuses what it cannot ({@link #refuseConstructedUnsubclassable}); a class heard from
     * now on is decided as it is heard.
     */
    @Inject
    void created(Injector injector) {
        created = true;
        nameByQualifiers(injector);
        refuseConstructedUnsubclassable();
    }

    /**
     * The policies of each class Guice cannot subclass that an injector which heard it constructs, under any key
     * ({@code toConstructor} under an annotation, a private module's binding, exposed or not), as errors of
     * the creation. Else Guice would construct it without them. Decided per binding, by the constructor's
     * class; the injectors are let go.
     */
    private void refuseConstructedUnsubclassable() {
        Set<String> problems = new LinkedHashSet<>();
        synchronized (heardWhileCreated) {
            for (Heard heard : heardWhileCreated) {
                if (heard.constructed()) {
                    problems.addAll(refusals.get(heard.type()));
                }
            }
            heardWhileCreated.clear();
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems.stream().map(Message::new).toList());
        }
    }

    /** A class Guice cannot subclass, heard by {@code injector} while it was created. */
    private record Heard(Class<?> type, Provider<Injector> injector) {

        /** Whether a binding of the injector that heard the class, explicit or just in time, constructs it. */
        boolean constructed() {
            Injector heardBy;
            try {
                heardBy = injector.get();
            } catch (IllegalStateException neverCreated) { // a child injector that failed: it constructs nothing
                return false;
            }
            return heardBy.getAllBindings().values().stream().anyMatch(binding -> binding instanceof ConstructorBinding
                    && ((ConstructorBinding<?>) binding).getConstructor().getDeclaringType().getRawType() == type);
        }
    }

    /** The guard that refuses the provision of a class Guice cannot subclass: its matcher and its listener. */
    ConstructedLater constructedLater() {
        return constructedLater;
    }

    /**
     * Matches a constructor binding of a class Guice cannot subclass whose policies were heard (a class first
     * heard as an instance's type, then bound just in time, keeps the members injector Guice made for it,
     * without interceptors, and is not heard again), and refuses each provision in the same words, in a
     * {@link com.google.inject.ProvisionException}: the policies are never silently dropped.
     */
    final class ConstructedLater extends AbstractMatcher<Binding<?>> implements ProvisionListener {

        @Override
        public boolean matches(Binding<?> binding) {
            return binding instanceof ConstructorBinding && refusals.containsKey(declaringClass(binding));
        }

        @Override
        public <T> void onProvision(ProvisionInvocation<T> provision) {
            throw new ConfigurationException(refusals.get(declaringClass(provision.getBinding())).stream()
                    .map(Message::new).toList());
        }

        private static Class<?> declaringClass(Binding<?> binding) {
            return ((ConstructorBinding<?>) binding).getConstructor().getDeclaringType().getRawType();
        }
    }

    /**
     * Marks the interceptor chain of each instance this injector made with our interceptors, before the instance
     * is handed to anyone ({@link ContainerInterception#registerInstance}): the chain Guice gives every instance of
     * the binding, and every copy of one, so that {@code Rebound.isResilient} and {@code Rebound.wrap} know them
     * all with one look-up (the interceptor marks it too, on each call of a class with woven advice, before that
     * advice asks; before either, they judge an instance by whether its chain holds our interceptor, a {@link
     * ContainerInterception.DoorInterceptor}: one still being made, or whose provision failed; and where the chain
     * cannot be read, this mark is the instance's own); not the class, since Guice gives another injector that
     * intercepts the same methods of the class for interceptors of its own the same generated subclass, whose
     * instances run another chain and apply no policy of ours.
     */
    @Override
    public <T> void onProvision(ProvisionInvocation<T> provision) {
        if (!interceptedLater.isEmpty()) { // constructed at last: named now that its injector is known
            nameLater(provision.getBinding());
        }
        T provided = provision.provision();
        if (provided != null && isIntercepted(provided)) {
            ContainerInterception.registerInstance(provided);
        }
    }

    /**
     * Whether Guice will run interceptors: off with {@code -Dguice_bytecode_gen_option=DISABLED}, when it
     * drops every {@code bindInterceptor} without a word. Read from Guice's own flags (Guice 7's
     * {@code InternalFlags}); a Guice without them is taken to have it on.
     */
    static boolean bytecodeGenerationEnabled() {
        try {
            return com.google.inject.internal.InternalFlags.isBytecodeGenEnabled();
        } catch (LinkageError notThisGuice) {
            return true;
        }
    }

    /**
     * What stops Guice subclassing a class it constructs, so intercepting its methods: the class is final or
     * sealed, or the constructor Guice calls is private ({@code what}, for the WARN of a woven class left to
     * its aspect), with the rule's problem for an unwoven one.
     */
    record Unsubclassable(String what, String problem) {

        /** Null when Guice can subclass the class, or cannot construct it at all (Guice says why itself). */
        static Unsubclassable of(TypeLiteral<?> literal) {
            Class<?> type = literal.getRawType();
            if (Modifier.isFinal(type.getModifiers())) {
                return new Unsubclassable("final", MethodRules.finalClassUnderGuice(type.getName()));
            }
            if (type.isSealed()) {
                return new Unsubclassable("sealed", MethodRules.sealedClassUnderGuice(type.getName()));
            }
            try {
                if (Modifier.isPrivate(InjectionPoint.forConstructorOf(literal).getMember().getModifiers())) {
                    return new Unsubclassable("built by a private constructor",
                            MethodRules.privateConstructorUnderGuice(type.getName()));
                }
            } catch (ConfigurationException noConstructor) { // Guice's own error, reported as it binds the class
            }
            return null;
        }
    }

    /** What tells two listeners' settings apart: the settings, or a marker for the global ones (null). */
    Object settingsKey() {
        return settings != null ? settings : GLOBAL;
    }

    private static final Object GLOBAL = new Object();

    /** Whether {@code instance} was built by Guice with our interceptors. */
    boolean isIntercepted(Object instance) {
        Class<?> c = instance.getClass();
        return c.getName().contains("$$EnhancerByGuice$$") && intercepted.contains(c.getSuperclass());
    }
}
