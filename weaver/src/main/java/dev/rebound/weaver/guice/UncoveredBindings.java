package dev.rebound.weaver.guice;

import com.google.inject.Binding;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvidedBy;
import com.google.inject.matcher.AbstractMatcher;
import com.google.inject.name.Named;
import com.google.inject.spi.Element;
import com.google.inject.spi.InstanceBinding;
import com.google.inject.spi.LinkedKeyBinding;
import com.google.inject.spi.ProviderInstanceBinding;
import com.google.inject.spi.ProviderKeyBinding;
import com.google.inject.spi.PrivateElements;
import com.google.inject.spi.ProviderWithExtensionVisitor;
import com.google.inject.spi.ProvidesMethodBinding;
import com.google.inject.spi.ProvisionListener;
import com.google.inject.spi.TypeListenerBinding;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.weaver.Woven;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says when {@link ReboundModule} leaves a policy unapplied: a binding whose instance the injector does not
 * construct ({@code toInstance}, a {@code @Provides} method, {@code toProvider}, a {@code @ProvidedBy}
 * interface) and that no {@link ReboundModule#wrapping} covers, of an annotated type (an interface, or a
 * class: {@code bind(Impl.class).toInstance(...)}) or of a type whose instance's class carries a policy (a
 * library's interface, provided by an application's class). Guice's interception reaches only the classes
 * the injector constructs, so such an instance would run without its policies. Checked on the instance the
 * binding provides, so a provider that returns {@code Rebound.wrap(...)} or a woven object (resilient
 * already) is not named. A WARN on {@code dev.rebound} once per binding key (for an instance's class, the
 * class behind a container's proxy that says it, once per class; an {@code OptionalBinder}'s binding of its
 * type, which hands out a value a module set, is not said about again), naming the type and where it is
 * bound (a module's method or line; never the instance), and the remedy for that kind of binding.
 */
final class UncoveredBindings extends AbstractMatcher<Binding<?>> implements ProvisionListener {

    /** The prefix of the keys {@link ReboundModule#wrapping} moves a binding's original target to. */
    static final String ORIGINAL = "dev.rebound.original#";

    /** The parent injectors said to construct classes without policies for a child's ReboundModule, once each. */
    private static final Map<Injector, Boolean> PARENTS_SAID =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private final Set<Key<?>> said = ConcurrentHashMap.newKeySet();
    private final Set<Class<?>> saidClasses = ConcurrentHashMap.newKeySet();
    /** The injector that installs this module, known once it is created ({@link #checkLinks}). */
    private volatile Injector injector;
    /** Its multibinders, found the first time a binding would be said about. */
    private volatile MultibinderParts multibinders;
    /** Whether a class carries a policy (its own, or its supertypes'), looked up once per class. */
    private final Map<Class<?>, Boolean> carries = new ConcurrentHashMap<>();

    @Override
    public boolean matches(Binding<?> binding) {
        Key<?> key = binding.getKey();
        if (Policies.isRebound(key.getTypeLiteral().getRawType()) || isOriginal(key)) {
            return false;
        }
        if (binding instanceof InstanceBinding) {
            return carriesPolicy(key.getTypeLiteral().getRawType())
                    || carriesPolicy(Policies.implClassOf(((InstanceBinding<?>) binding).getInstance()));
        }
        if (binding instanceof ProviderInstanceBinding) {
            Object provider = ((ProviderInstanceBinding<?>) binding).getUserSuppliedProvider();
            return !(provider instanceof ResilientProvider) && (!(provider instanceof ProviderWithExtensionVisitor)
                    || provider instanceof ProvidesMethodBinding); // an extension's (a multibinder's) is its own
        }
        return binding instanceof ProviderKeyBinding;
    }

    @Override
    public <T> void onProvision(ProvisionInvocation<T> provision) {
        T provided = provision.provision();
        if (provided == null || Rebound.isResilient(provided)) {
            return;
        }
        Binding<T> binding = provision.getBinding();
        Class<?> type = binding.getKey().getTypeLiteral().getRawType();
        if (carriesPolicy(type)) {
            if (said.add(binding.getKey()) && !ownMultibinding(binding)) {
                warn(type.getSimpleName(), binding, type);
            }
        } else {
            Class<?> implClass = Policies.implClassOf(provided); // behind a container's proxy, as Rebound.wrap reads
            if (carriesPolicy(implClass) && saidClasses.add(implClass)) {
                warn(Policies.simpleName(implClass), binding, type);
            }
        }
    }

    /**
     * Whether {@code binding} is one a multibinder of this injector makes for itself: an {@code OptionalBinder}'s
     * binding of its type hands out the default or the value a module set, a binding of the user's that is said
     * about when it provides. Looked up in the injector's elements the first time a binding would be said about.
     */
    private boolean ownMultibinding(Binding<?> binding) {
        MultibinderParts parts = multibinders;
        if (parts == null) {
            Injector i = injector;
            if (i == null) {
                return false; // provided while the injector is created: nothing to tell it by yet
            }
            parts = new MultibinderParts(i.getElements());
            multibinders = parts;
        }
        return parts.isOwnBinding(binding);
    }

    /**
     * Says that the policies of {@code whose} (the bound type, or the provided instance's class) do not apply
     * to what {@code binding} provides, with the remedy for its kind: a just-in-time {@code @ProvidedBy}
     * binding, which no module declares; a binding of a class, which no wrapper of an interface covers; a
     * binding of an interface in a module not given to {@link ReboundModule#wrapping}.
     */
    private static void warn(String whose, Binding<?> binding, Class<?> type) {
        String name = type.getSimpleName();
        String prefix = "ReboundModule: " + whose + "'s policies do not apply to the instance ";
        if (binding.getSource() == type && type.isAnnotationPresent(ProvidedBy.class)) {
            Policies.warn(prefix + "of " + name + "'s @ProvidedBy provider: that binding is made just in time, by"
                    + " no module, so ReboundModule.wrapping(...) cannot wrap it and Guice cannot intercept it. Bind "
                    + name + " explicitly in a module given to ReboundModule.wrapping(...) (bind(" + name
                    + ".class).toProvider(...)), or return Rebound.wrap(" + name + ".class, ...) from the provider");
        } else if (!type.isInterface()) {
            Policies.warn(prefix + "bound at " + binding.getSource() + ": the injector does not construct it"
                    + " (toInstance, @Provides or toProvider), so Guice cannot intercept it, and"
                    + " ReboundModule.wrapping(...) wraps interfaces only. Let the injector construct it (bind "
                    + name + " to a class, not to an instance or a provider), or bind it as an interface it"
                    + " implements in a module given to ReboundModule.wrapping(...)");
        } else {
            Policies.warn(prefix + "bound at " + binding.getSource() + ": the injector does not construct it"
                    + " (toInstance, @Provides or toProvider), so Guice cannot intercept it. Install the module that"
                    + " binds it through ReboundModule.wrapping(...), or return Rebound.wrap(" + name
                    + ".class, ...) from it");
        }
    }

    private boolean carriesPolicy(Class<?> c) {
        return carries.computeIfAbsent(c, Policies::annotated);
    }

    /**
     * At the injector's creation: a linked binding of this injector ({@code bind(Chat).to(Impl)}) whose
     * target carries a policy and is constructed by another injector (a parent's just-in-time binding of
     * {@code Impl}, made there because everything it needs is there) whose injectors install no
     * ReboundModule, so its instances are not intercepted; a woven target is left out (its aspect applies
     * its policies).
     */
    @Inject
    void checkLinks(Injector injector) {
        this.injector = injector;
        onceSettingsPerInjector(injector);
        Injector parent = injector.getParent();
        if (parent != null && reboundSettings(parent, false).isEmpty() && PARENTS_SAID.put(parent, true) == null) {
            Policies.warn("ReboundModule: installed in a child injector (or a PrivateModule) whose parent installs"
                    + " none: a class with policies that the parent can construct (everything it needs is bound"
                    + " there) becomes the parent's just-in-time binding even when this injector is asked for it"
                    + " (child.getInstance(Impl.class), or a class bound here that needs it), and the parent runs it"
                    + " without them (a woven class keeps its aspect's). Install ReboundModule in the parent"
                    + " injector, or bind each such class in this one");
        }
        Map<Key<?>, Binding<?>> own = injector.getAllBindings();
        for (Binding<?> binding : injector.getBindings().values()) {
            if (!(binding instanceof LinkedKeyBinding) || !matchesType(binding.getKey())) {
                continue;
            }
            Key<?> linked = ((LinkedKeyBinding<?>) binding).getLinkedKey();
            Class<?> target = linked.getTypeLiteral().getRawType();
            if (!own.containsKey(linked) && !target.isInterface() && !Woven.class.isAssignableFrom(target)
                    && Policies.annotated(target) && !intercepting(ownerOf(injector.getParent(), linked))
                    && said.add(binding.getKey())) {
                Policies.warn("ReboundModule: " + binding.getKey().getTypeLiteral().getRawType().getSimpleName()
                        + "'s policies do not apply to the instance bound at " + binding.getSource() + ": its "
                        + target.getSimpleName() + " is constructed by an injector without ReboundModule (a"
                        + " parent's just-in-time binding, when this is a child injector). Install ReboundModule in"
                        + " that injector, or bind " + target.getSimpleName() + " in this one");
            }
        }
    }

    /**
     * At the injector's creation, whether or not a class is constructed yet: two ReboundModules with other
     * settings (identity: an equal module has the same) in this injector, its private modules and its
     * parents would each apply every policy to a class both intercept.
     */
    private static void onceSettingsPerInjector(Injector injector) {
        if (reboundSettings(injector, true).size() > 1) {
            throw new IllegalStateException(ReboundModule.ONCE_PER_INJECTOR);
        }
    }

    /** The injector, {@code from} or one of its parents, that holds the binding of {@code key}; null for none. */
    private static Injector ownerOf(Injector from, Key<?> key) {
        Injector owner = from;
        while (owner != null && !owner.getAllBindings().containsKey(key)) {
            owner = owner.getParent();
        }
        return owner;
    }

    /** Whether {@code owner} (null: unknown, taken as yes) or a parent of it installs a ReboundModule. */
    private static boolean intercepting(Injector owner) {
        return owner == null || !reboundSettings(owner, false).isEmpty();
    }

    /**
     * The settings of the ReboundModules installed in {@code from} and its parents (by identity, the global
     * ones as one marker), with those of their private modules when {@code privateToo} (a private module's
     * listener intercepts only what its own environment constructs).
     */
    private static Set<Object> reboundSettings(Injector from, boolean privateToo) {
        Set<Object> settings = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Injector i = from; i != null; i = i.getParent()) {
            collectSettings(i.getElements(), privateToo, settings);
        }
        return settings;
    }

    private static void collectSettings(List<Element> elements, boolean privateToo, Set<Object> settings) {
        for (Element e : elements) {
            if (e instanceof TypeListenerBinding && ((TypeListenerBinding) e).getListener() instanceof ResilientTypes) {
                settings.add(((ResilientTypes) ((TypeListenerBinding) e).getListener()).settingsKey());
            } else if (privateToo && e instanceof PrivateElements) {
                collectSettings(((PrivateElements) e).getElements(), true, settings);
            }
        }
    }

    private static boolean matchesType(Key<?> key) {
        Class<?> type = key.getTypeLiteral().getRawType();
        return !Policies.isRebound(type) && !isOriginal(key) && Policies.annotated(type);
    }

    static boolean isOriginal(Key<?> key) {
        return key.getAnnotation() instanceof Named && ((Named) key.getAnnotation()).value().startsWith(ORIGINAL);
    }
}
