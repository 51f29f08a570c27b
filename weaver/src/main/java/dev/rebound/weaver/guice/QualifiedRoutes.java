package dev.rebound.weaver.guice;

import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.spi.ConstructorBinding;
import com.google.inject.spi.ExposedBinding;
import com.google.inject.spi.LinkedKeyBinding;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which qualified bindings lead to the classes each injector constructs, in an injector and its private modules,
 * once their bindings are all known: {@code bind(Chat.class).annotatedWith(Names.named("openai")).to(HttpChat.class)}
 * (through any chain of linked bindings, or {@code toConstructor}) leads to the binding of {@code HttpChat} that
 * the injector holding it constructs: that private module's own (a just-in-time binding made there because what
 * {@code HttpChat} needs is bound there, or {@code bind(HttpChat.class)} there), else its parent's. Guice intercepts
 * a class once per injector that constructs it, so these are what tells the instances of one interception apart
 * from another's. An {@code OptionalBinder}'s default that its {@code setBinding()} overrides is never provided, and
 * leads nowhere. Asked once, at the injector's creation.
 */
final class QualifiedRoutes {

    /** Per injector (by identity), per class it constructs, the qualifiers of the bindings leading there and their names. */
    private final Map<Injector, Map<Class<?>, Map<Object, Key<?>>>> routes = new IdentityHashMap<>();
    /** Each injector's bindings, its just-in-time ones included, looked up once. */
    private final Map<Injector, Map<Key<?>, Binding<?>>> bindings = new IdentityHashMap<>();

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

    private void visit(Injector injector, Deque<Injector> next) {
        MultibinderParts parts = new MultibinderParts(injector.getElements());
        for (Binding<?> binding : injector.getBindings().values()) {
            if (binding instanceof ExposedBinding) { // counted in its private module
                next.add(((ExposedBinding<?>) binding).getPrivateElements().getInjector());
                continue;
            }
            if (!(binding instanceof LinkedKeyBinding || binding instanceof ConstructorBinding)) {
                continue;
            }
            Object qualifier = parts.qualifierOf(binding);
            if (qualifier == null || parts.overriddenDefault(binding, injector)) { // a default never provided
                continue;
            }
            Binding<?> end = binding;
            for (int hops = 0; end instanceof LinkedKeyBinding && hops < 64; hops++) {
                end = injector.getExistingBinding(((LinkedKeyBinding<?>) end).getLinkedKey());
            }
            if (end instanceof ConstructorBinding) {
                Class<?> type = ((ConstructorBinding<?>) end).getConstructor().getDeclaringType().getRawType();
                routes.computeIfAbsent(ownerOf(injector, end), i -> new LinkedHashMap<>())
                        .computeIfAbsent(type, t -> new LinkedHashMap<>()).putIfAbsent(qualifier, binding.getKey());
            }
        }
    }

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
