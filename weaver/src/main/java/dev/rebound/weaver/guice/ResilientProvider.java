package dev.rebound.weaver.guice;

import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Provider;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.Woven;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Provides an annotated interface by wrapping what its original binding provides (an instance the
 * injector did not construct: {@code toInstance}, {@code @Provides}, {@code toProvider}) in a
 * resilient wrapper: the interface's generated class ({@code Type$$Rebound}) when the annotation
 * processor made one, else a JDK proxy; flat either way (a call the engine makes on it as an
 * alternative goes to the instance). Policies are resolved once per implementation class (behind a
 * container's proxy that says it, the class behind it, as {@code Rebound.wrap} reads it),
 * alternatives come from the injector. An instance that is already resilient (woven, intercepted,
 * wrapped, or a container's proxy over such an instance: {@link Policies#madeByDoor}) is returned as is;
 * so is one whose class carries no policy, when the interface carries none (a library's interface, bound
 * to a class of the application's that carries them). A binding's qualifier ({@code @Named("openai")}) names its
 * instances in events ({@code Chat@Named(openai)}) and their breakers in the fleet, so two bindings of one
 * interface share none; without one, a breaker the fleet names alike for another wrapper in use is warned about
 * ({@link Policies#resolveBinding}).
 */
final class ResilientProvider<T> implements Provider<T> {

    private final Class<T> type;
    /**
     * The binding's qualifier (its binding annotation, or annotation type), or null: events name the instances
     * with it, and the fleet their breakers ({@link Policies#resolveBinding}).
     */
    private final Object qualifier;
    private final Key<? extends T> originalKey;
    private final Provider<? extends T> original;
    private final ReboundSettings settings;
    private final ResilientTypes interceptedTypes;
    /** Whether the interface carries no policy: an instance is wrapped when its class carries one. */
    private final boolean byClass;
    /**
     * The policies per implementation class ({@link Policies#implClassOf}), held by this provider (so by its
     * injector) and nowhere else: a {@code ClassValue} would keep them, and through their alternatives this
     * injector, in the class for as long as the class lives (a dropped injector would never be collected).
     */
    private final Map<Class<?>, Map<Method, ResilientMethod>> policies = new ConcurrentHashMap<>();
    private Injector injector;
    /** The last instance wrapped and its wrapper: scoped originals (singletons) get one wrapper. */
    private volatile Object[] last = {null, null};

    ResilientProvider(Class<T> type, Object qualifier, Key<? extends T> originalKey, Provider<? extends T> original,
            ReboundSettings settings, ResilientTypes interceptedTypes, boolean byClass) {
        this.type = type;
        this.qualifier = qualifier;
        this.byClass = byClass;
        this.originalKey = originalKey;
        this.original = original;
        this.settings = settings;
        this.interceptedTypes = interceptedTypes;
    }

    @Inject
    void setInjector(Injector injector) {
        this.injector = injector;
    }

    /** The private key the binding this provider replaced was moved to. */
    Key<? extends T> originalKey() {
        return originalKey;
    }

    @Override
    public T get() {
        T instance = original.get();
        // woven, intercepted, a wrapper, or a container's proxy over one (a Spring JDK proxy of a woven bean,
        // whichever interfaces it implements): Rebound.wrap's rule, so its annotations apply once
        if (instance == null || Policies.madeByDoor(instance) || interceptedTypes.isIntercepted(instance)) {
            Class<?> implClass = instance == null ? null : Policies.implClassOf(instance);
            if (settings != null && implClass != null && Woven.class.isAssignableFrom(implClass)) {
                WovenOnGlobalSettings.warnOnce(implClass, "bound as an instance the injector does not construct");
            }
            return instance;
        }
        Object[] pair = last;
        if (pair[0] == instance) {
            return type.cast(pair[1]);
        }
        // the class Rebound.wrap reads: behind a container's proxy that says it (asked of each instance, since one
        // JDK proxy class serves many classes), else the instance's own
        Class<?> implClass = Policies.implClassOf(instance);
        Map<Method, ResilientMethod> resolved = policies.get(implClass);
        if (resolved == null) { // the first instance of its class: a lambda per class, none per provision
            resolved = policies.computeIfAbsent(implClass, c -> resolve(c, instance));
        }
        if (byClass && resolved.isEmpty()) {
            return instance; // its class carries no policy a wrapper of the interface applies
        }
        // named as its policies' events name it: with the binding's qualifier
        T wrapper = Policies.wrapper(type, instance, Policies.bindingName(implClass, type, qualifier), resolved,
                door());
        last = new Object[] {instance, wrapper};
        return wrapper;
    }

    /**
     * The policies of {@code type}'s methods on {@code implClass}, as {@code Rebound.wrap} resolves them: a
     * policy on a static or non-public method of the class is refused with the others' problems; one on a
     * public method that no interface method is (a helper) is said once, since the wrapper never calls it.
     * When neither {@code type} nor the class carries one and {@code instance} (the first of its class) is a
     * JDK proxy that hides the class behind it, that is said once, as {@code Rebound.wrap} says it.
     *
     * @throws ReboundConfigurationException listing every problem
     */
    private Map<Method, ResilientMethod> resolve(Class<?> implClass, T instance) {
        if (byClass && !Policies.annotated(implClass)) {
            warnIfClassBehindUnseen(type, instance);
            return Map.of();
        }
        List<String> problems = new ArrayList<>();
        List<String> helpers = Policies.unreached(implClass, problems);
        Map<Method, ResilientMethod> resolved = Map.of();
        try {
            resolved = Policies.resolveBinding(implClass, type, qualifier, door(), settings, alt -> {
                Provider<?> provider = injector.getProvider(alt);
                interceptedTypes.checks().warnIfBoundBelow(injector, alt); // known now, before any call
                return new InjectedAlternative(alt, provider, () -> injector, null, door());
            });
        } catch (ReboundConfigurationException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            throw new ReboundConfigurationException(problems);
        }
        if (!helpers.isEmpty()) {
            Policies.warn(door() + ": " + MethodRules.helpersNotWrapped(helpers, Policies.simpleName(implClass)));
        }
        return resolved;
    }

    /** How warnings name this door: {@code ReboundModule(Chat)}. */
    private String door() {
        return door(type);
    }

    private static String door(Class<?> type) {
        return "ReboundModule(" + type.getSimpleName() + ")";
    }

    /**
     * Says, in {@code Rebound.wrap}'s words after this door's name, that {@code instance}, provided for
     * {@code type}, which carries no policy, is a JDK proxy that hides the class behind it, whose annotations
     * therefore cannot be seen; nothing for any other instance, an AiServices assistant included.
     */
    static void warnIfClassBehindUnseen(Class<?> type, Object instance) {
        String unseen = Policies.classBehindUnseen(type, instance);
        if (unseen != null) {
            Policies.warn(door(type) + ": " + unseen);
        }
    }
}
