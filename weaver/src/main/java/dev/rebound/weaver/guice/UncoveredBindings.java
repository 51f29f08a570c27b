package dev.rebound.weaver.guice;

import com.google.inject.Binding;
import com.google.inject.Key;
import com.google.inject.matcher.AbstractMatcher;
import com.google.inject.name.Named;
import com.google.inject.spi.InstanceBinding;
import com.google.inject.spi.ProviderInstanceBinding;
import com.google.inject.spi.ProviderKeyBinding;
import com.google.inject.spi.ProvisionListener;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.spi.Policies;
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
        Key<?> key = binding.getKey();
        Class<?> type = key.getTypeLiteral().getRawType();
        if (Policies.isRebound(type) || isOriginal(key)) {
            return false;
        }
        boolean constructedElsewhere = binding instanceof InstanceBinding
                || binding instanceof ProviderInstanceBinding
                        && !(((ProviderInstanceBinding<?>) binding).getUserSuppliedProvider() instanceof ResilientProvider)
                || binding instanceof ProviderKeyBinding;
        return constructedElsewhere && Policies.annotated(type);
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

    private static boolean isOriginal(Key<?> key) {
        return key.getAnnotation() instanceof Named && ((Named) key.getAnnotation()).value().startsWith(ORIGINAL);
    }
}
