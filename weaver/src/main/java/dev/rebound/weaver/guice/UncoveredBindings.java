package dev.rebound.weaver.guice;

import com.google.inject.Binding;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.matcher.AbstractMatcher;
import com.google.inject.name.Named;
import com.google.inject.spi.Element;
import com.google.inject.spi.InstanceBinding;
import com.google.inject.spi.LinkedKeyBinding;
import com.google.inject.spi.ProviderInstanceBinding;
import com.google.inject.spi.ProviderKeyBinding;
import com.google.inject.spi.PrivateElements;
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
 * Says when {@link ReboundModule} leaves a policy unapplied: a binding of an annotated type (an interface,
 * or a class: {@code bind(Impl.class).toInstance(...)}) whose instance the injector does not construct
 * ({@code toInstance}, a {@code @Provides} method, {@code toProvider}) and that no
 * {@link ReboundModule#wrapping} covers. Guice's interception reaches only the classes the injector
 * constructs, so such an instance would run without its policies. Checked on the instance the binding
 * provides, so a provider that returns {@code Rebound.wrap(...)} or a woven object (resilient already) is
 * not named. A WARN on {@code dev.rebound} once per binding key, naming the type and where it is bound (a
 * module's method or line; never the instance).
 */
final class UncoveredBindings extends AbstractMatcher<Binding<?>> implements ProvisionListener {

    /** The prefix of the keys {@link ReboundModule#wrapping} moves a binding's original target to. */
    static final String ORIGINAL = "dev.rebound.original#";

    private final Set<Key<?>> said = ConcurrentHashMap.newKeySet();

    @Override
    public boolean matches(Binding<?> binding) {
        boolean constructedElsewhere = binding instanceof InstanceBinding
                || binding instanceof ProviderInstanceBinding
                        && !(((ProviderInstanceBinding<?>) binding).getUserSuppliedProvider() instanceof ResilientProvider)
                || binding instanceof ProviderKeyBinding;
        return constructedElsewhere && matchesType(binding.getKey());
    }

    @Override
    public <T> void onProvision(ProvisionInvocation<T> provision) {
        T provided = provision.provision();
        Binding<T> binding = provision.getBinding();
        if (provided != null && !Rebound.isResilient(provided) && said.add(binding.getKey())) {
            String type = binding.getKey().getTypeLiteral().getRawType().getSimpleName();
            Policies.warn("ReboundModule: " + type + "'s policies do not apply to the instance bound at "
                    + binding.getSource() + ": the injector does not construct it (toInstance, @Provides or"
                    + " toProvider), so Guice cannot intercept it. Install the module that binds it through"
                    + " ReboundModule.wrapping(...), or return Rebound.wrap(" + type + ".class, ...) from it");
        }
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
        onceSettingsPerInjector(injector);
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

    private static boolean isOriginal(Key<?> key) {
        return key.getAnnotation() instanceof Named && ((Named) key.getAnnotation()).value().startsWith(ORIGINAL);
    }
}
