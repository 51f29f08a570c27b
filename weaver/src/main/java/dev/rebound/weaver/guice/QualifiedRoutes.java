package dev.rebound.weaver.guice;

import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.spi.ConstructorBinding;
import com.google.inject.spi.ExposedBinding;
import com.google.inject.spi.Dependency;
import com.google.inject.spi.HasDependencies;
import com.google.inject.spi.LinkedKeyBinding;
import com.google.inject.spi.ProviderInstanceBinding;
import com.google.inject.spi.ProviderKeyBinding;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which qualified bindings lead to the classes each injector constructs, in an injector and its private modules,
 * once their bindings are all known: {@code bind(Chat.class).annotatedWith(Names.named("openai")).to(HttpChat.class)}
 * (through any chain of linked bindings, or {@code toConstructor}) leads to the binding of {@code HttpChat} that
 * the injector holding it constructs: that private module's own (a just-in-time binding made there because what
 * {@code HttpChat} needs is bound there, or {@code bind(HttpChat.class)} there), else its parent's. Guice intercepts
 * a class once per injector that constructs it, so these are what tells the instances of one interception apart
 * from another's. A qualified {@code @Provides} method or {@code toProvider} binding that injects the class (or a
 * {@code Provider} of it) counts as a route too, one that names nothing: what it returns may be that instance,
 * reconfigured, or not ({@link #throughProvider}). An {@code OptionalBinder}'s default that its {@code setBinding()}
 * overrides is never provided, and leads nowhere; the bindings a multibinder makes for itself (the optional, the
 * set, the map) are no routes either: an {@code OptionalBinder}'s value counts, under its binder's qualifier. A
 * qualified binding that links to another qualified key is an alias, counted once, as the binding it links to.
 * Asked once per injector: at its creation, or, for a child injector (which runs no hook of ours), at the first
 * provision of a class it intercepts.
 */
final class QualifiedRoutes {

    /** Per injector (by identity), per class it constructs, the qualifiers of the bindings leading there and their names. */
    private final Map<Injector, Map<Class<?>, Map<Object, Key<?>>>> routes = new IdentityHashMap<>();
    /** Each injector's bindings, its just-in-time ones included, looked up once. */
    private final Map<Injector, Map<Key<?>, Binding<?>>> bindings = new IdentityHashMap<>();
    /** Per injector, the classes it constructs that a provider binding's qualifier leads to ({@link #throughProvider}). */
    private final Map<Injector, Set<Class<?>>> provided = new IdentityHashMap<>();

    /**
     * The routes of {@code injectors} (an injector and the private modules whose classes it heard: Guice lists no
     * private module among an injector's elements) and of every private module that exposes a binding to one.
     */
    QualifiedRoutes(Collection<Injector> injectors) {
        Set<Injector> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Injector> next = new ArrayDeque<>(injectors);
        while (!next.isEmpty()) {
            Injector injector = next.pop();
            if (seen.add(injector)) {
                visit(injector, next);
            }
        }
    }

    /**
     * The qualifiers of the bindings that lead to the binding of {@code type} that {@code injector} constructs,
     * each with one key that carries it (in the order found); empty for none.
     */
    Map<Object, Key<?>> to(Injector injector, Class<?> type) {
        return routes.getOrDefault(injector, Map.of()).getOrDefault(type, Map.of());
    }

    /**
     * Whether a binding whose target is a provider ({@code @Provides}, {@code toProvider}) that injects the class
     * (or a {@code Provider} of it) leads to {@code type}'s binding in {@code injector}: what it provides under its
     * qualifier may be that class's instance, or not, so no qualifier names the class's interception.
     */
    boolean throughProvider(Injector injector, Class<?> type) {
        return provided.getOrDefault(injector, Set.of()).contains(type);
    }

    private void visit(Injector injector, Deque<Injector> next) {
        MultibinderParts parts = new MultibinderParts(injector.getElements());
        for (Binding<?> binding : injector.getBindings().values()) {
            if (binding instanceof ExposedBinding) { // counted in its private module
                next.add(((ExposedBinding<?>) binding).getPrivateElements().getInjector());
                continue;
            }
            boolean provider = binding instanceof ProviderInstanceBinding || binding instanceof ProviderKeyBinding;
            if (!(provider || binding instanceof LinkedKeyBinding || binding instanceof ConstructorBinding)
                    || parts.isOwnBinding(binding)) { // a multibinder's own (the optional, the set): its values count
                continue;
            }
            Object qualifier = parts.qualifierOf(binding);
            if (qualifier == null || parts.overriddenDefault(binding, injector) // a default never provided
                    || aliases(injector, binding)) { // counted as the qualified binding it links to
                continue;
            }
            for (Binding<?> end : provider ? injected(injector, binding) : List.of(constructed(injector, binding))) {
                if (!(end instanceof ConstructorBinding)) {
                    continue;
                }
                Class<?> type = ((ConstructorBinding<?>) end).getConstructor().getDeclaringType().getRawType();
                Injector owner = ownerOf(injector, end);
                routes.computeIfAbsent(owner, i -> new LinkedHashMap<>())
                        .computeIfAbsent(type, t -> new LinkedHashMap<>()).putIfAbsent(qualifier, binding.getKey());
                if (provider) {
                    provided.computeIfAbsent(owner, i -> new HashSet<>()).add(type);
                }
            }
        }
    }

    /**
     * Whether {@code binding} links, directly or through other linked bindings, to a key that carries a qualifier of
     * the application's ({@code bind(Chat.class).annotatedWith(Names.named("default")).to(Key.get(Chat.class,
     * Names.named("openai")))}): an alias, which leads to the class through that key's binding, the route that
     * names it; not a second route to the same binding of the class.
     */
    private static boolean aliases(Injector injector, Binding<?> binding) {
        Binding<?> at = binding;
        for (int hops = 0; at instanceof LinkedKeyBinding<?> linked && hops < 64; hops++) {
            Key<?> next = linked.getLinkedKey();
            if (MultibinderParts.qualifierOf(next) != null) {
                return true;
            }
            at = injector.getExistingBinding(next);
        }
        return false;
    }

    /** The binding that constructs what {@code binding} gives, through any chain of linked bindings, if any. */
    private static Binding<?> constructed(Injector injector, Binding<?> binding) {
        Binding<?> end = binding;
        for (int hops = 0; end instanceof LinkedKeyBinding && hops < 64; hops++) {
            end = injector.getExistingBinding(((LinkedKeyBinding<?>) end).getLinkedKey());
        }
        return end;
    }

    /**
     * The bindings that construct what a provider binding injects: a {@code @Provides} method's parameters, a
     * provider instance's injection points, or those of the provider class of {@code toProvider}; a {@code
     * Provider<T>} stands for {@code T}; of ReboundModule.wrapping's wrapper, those of the binding it moved.
     */
    private static List<Binding<?>> injected(Injector injector, Binding<?> binding) {
        Binding<?> source = binding;
        if (binding instanceof ProviderInstanceBinding<?> wrapper
                && wrapper.getUserSuppliedProvider() instanceof ResilientProvider<?> resilient) {
            source = injector.getExistingBinding(resilient.originalKey()); // the one ReboundModule.wrapping moved
        }
        List<Dependency<?>> dependencies = new ArrayList<>(dependencies(source));
        if (source instanceof ProviderKeyBinding) {
            Binding<?> provider = injector.getExistingBinding(((ProviderKeyBinding<?>) source).getProviderKey());
            dependencies.addAll(dependencies(provider));
        }
        List<Binding<?>> ends = new ArrayList<>();
        for (Dependency<?> dependency : dependencies) {
            Binding<?> injectedBinding = injector.getExistingBinding(providedBy(dependency.getKey()));
            if (injectedBinding != null) {
                ends.add(constructed(injector, injectedBinding));
            }
        }
        return ends;
    }

    private static Set<Dependency<?>> dependencies(Binding<?> binding) {
        return binding instanceof HasDependencies ? ((HasDependencies) binding).getDependencies() : Set.of();
    }

    /** {@code T} for a key of {@code Provider<T>} (Guice's, jakarta's, javax's), keeping its qualifier. */
    private static Key<?> providedBy(Key<?> key) {
        Type type = key.getTypeLiteral().getType();
        if (type instanceof ParameterizedType && PROVIDERS.contains(key.getTypeLiteral().getRawType().getName())) {
            return key.ofType(((ParameterizedType) type).getActualTypeArguments()[0]);
        }
        return key;
    }

    private static final Set<String> PROVIDERS =
            Set.of("com.google.inject.Provider", "jakarta.inject.Provider", "javax.inject.Provider");

    /**
     * Whether {@code injector} constructs {@code type} (a binding of its own, explicit or just in time, that does),
     * not only injects the members of an instance of it ({@code toInstance}, {@code requestInjection}).
     */
    boolean constructs(Injector injector, Class<?> type) {
        return bindingsOf(injector).values().stream().anyMatch(b -> b instanceof ConstructorBinding
                && ((ConstructorBinding<?>) b).getConstructor().getDeclaringType().getRawType() == type);
    }

    private Map<Key<?>, Binding<?>> bindingsOf(Injector injector) {
        return bindings.computeIfAbsent(injector, Injector::getAllBindings);
    }

    /** The injector, {@code from} or a parent of it, that holds {@code binding}. */
    private Injector ownerOf(Injector from, Binding<?> binding) {
        for (Injector i = from; i != null; i = i.getParent()) {
            if (bindingsOf(i).get(binding.getKey()) == binding) {
                return i;
            }
        }
        return from;
    }
}
