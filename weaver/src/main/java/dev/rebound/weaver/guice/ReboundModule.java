package dev.rebound.weaver.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Binding;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.PrivateBinder;
import com.google.inject.Scope;
import com.google.inject.binder.ScopedBindingBuilder;
import com.google.inject.matcher.AbstractMatcher;
import com.google.inject.matcher.Matchers;
import com.google.inject.name.Names;
import com.google.inject.spi.BindingScopingVisitor;
import com.google.inject.spi.ConstructorBinding;
import com.google.inject.spi.DefaultBindingTargetVisitor;
import com.google.inject.spi.Element;
import com.google.inject.spi.Elements;
import com.google.inject.spi.InjectionRequest;
import com.google.inject.spi.InstanceBinding;
import com.google.inject.spi.Message;
import com.google.inject.spi.PrivateElements;
import com.google.inject.spi.ProviderInstanceBinding;
import com.google.inject.spi.ProviderKeyBinding;
import com.google.inject.spi.ProviderWithExtensionVisitor;
import com.google.inject.spi.ProvidesMethodBinding;
import com.google.inject.spi.ProvisionListenerBinding;
import com.google.inject.spi.TypeListenerBinding;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.spi.Policies;
import java.lang.annotation.Annotation;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Applies {@code @Retry}, {@code @Fallback}, {@code @CircuitBreaker} and {@code @RateLimit} to what a
 * Guice injector provides, as the aspect and {@code Rebound.wrap} do. Two ways in:
 *
 * <pre>{@code
 * // 1. every class the injector constructs itself (Guice AOP):
 * Guice.createInjector(new ReboundModule(), new MyModule());
 *
 * // 2. the same, plus every binding of these modules for an annotated interface, whatever its
 * //    target: toInstance, @Provides, toProvider (objects made by builders, AiServices proxies),
 * //    in their PrivateModules too:
 * Guice.createInjector(ReboundModule.wrapping(new MyModule()));
 * }</pre>
 *
 * <p>An interface without annotations counts as annotated for an instance whose class carries a policy (a
 * library's interface, provided by an application's class): {@code wrapping} wraps those instances, decided
 * once per class; installed alone, the module logs a WARN once per class. A binding it cannot reach (a
 * {@code @ProvidedBy} interface, made just in time; a class bound to an instance) gets a WARN naming the
 * remedy. Under {@code wrapping}, the values added to Guice's multibinders ({@code MapBinder},
 * {@code Multibinder}, {@code OptionalBinder}) are wrapped as any binding; the bindings those make for
 * themselves are left as they are. Installed in a child injector whose parent has none, it says once that
 * the classes the parent constructs just in time run without their policies. Policy state (a circuit
 * breaker's) is per injector. What {@code wrapping} provides under a binding's qualifier is named with it, in
 * events ({@code Chat@Named(openai)}) and in the key a store that shares breakers with a fleet keeps their open
 * state under, so two providers' bindings of one interface share no breaker there either; two bindings without
 * one whose breakers the fleet would name alike get a WARN naming the remedy.
 *
 * <p>Alternatives named in {@code @Fallback(to = ...)} come from the injector, with their own
 * dependencies and their own {@code @Retry}. A misconfigured annotation fails injector creation
 * with a {@link com.google.inject.CreationException} naming the method and attribute. Classes woven
 * with the Rebound aspect library are left to their aspect, so a policy applies exactly once.
 */
public final class ReboundModule extends AbstractModule {

    private static final AtomicInteger ORIGINALS = new AtomicInteger();

    private final ReboundSettings settings;
    private final List<Module> wrapped;

    /** Policies run with {@link ReboundSettings#global()}, read live (see {@link ReboundSettings#setGlobal}). */
    public ReboundModule() {
        this(null, List.of());
    }

    /**
     * Policies run with {@code settings} (clock, listeners, jitter).
     *
     * @throws NullPointerException if {@code settings} is null
     */
    public ReboundModule(ReboundSettings settings) {
        this(Objects.requireNonNull(settings, "settings"), List.of());
    }

    private ReboundModule(ReboundSettings settings, List<Module> wrapped) {
        this.settings = settings;
        this.wrapped = wrapped;
    }

    /**
     * A module that installs {@code modules} with every binding of an annotated interface made
     * resilient ({@code toInstance}, {@code @Provides}, {@code toProvider}, inside a {@code PrivateModule}
     * too, its exposures kept), and of an interface without annotations whose instance's class carries a
     * policy (looked at once per class, when first provided), and this module for the classes the injector
     * constructs.
     *
     * @throws NullPointerException if the array or an element is null
     */
    public static Module wrapping(Module... modules) {
        return new ReboundModule(null, List.of(modules));
    }

    /**
     * As {@link #wrapping(Module...)}, with policies running on {@code settings} (clock, listeners,
     * jitter, rate limit store).
     *
     * @throws NullPointerException if {@code settings}, the array or an element is null
     */
    public static Module wrapping(ReboundSettings settings, Module... modules) {
        return new ReboundModule(Objects.requireNonNull(settings, "settings"), List.of(modules));
    }

    @Override
    protected void configure() {
        AlternativeChecks checks = new AlternativeChecks();
        requestInjection(checks);
        ResilientTypes types = new ResilientTypes(settings, checks);
        requestInjection(types); // refuses, once the bindings are known, the classes it cannot subclass
        bindListener(Matchers.any(), types);
        bindListener(types.constructedLater(), types.constructedLater()); // and any it constructs later
        bindListener(new AbstractMatcher<Binding<?>>() {
            @Override
            public boolean matches(Binding<?> binding) { // the classes it may intercept: their instances are marked
                return binding instanceof ConstructorBinding && Policies.annotated(
                        ((ConstructorBinding<?>) binding).getConstructor().getDeclaringType().getRawType());
            }
        }, types);
        UncoveredBindings uncovered = new UncoveredBindings();
        bindListener(uncovered, uncovered);
        requestInjection(uncovered);
        List<Element> elements = Elements.getElements(wrapped);
        apply(elements, binder(), types, new MultibinderParts(elements));
    }

    /**
     * Applies {@code elements} to {@code to}, each binding a wrapper covers rewritten; a private module's
     * elements are rewritten inside a private binder of their own, with the same exposures. The bindings a
     * multibinder makes for itself are applied as they are (Guice reads them back as its own); the values
     * added to it are rewritten as any binding.
     */
    private void apply(List<Element> elements, Binder to, ResilientTypes types, MultibinderParts multibinders) {
        for (Element element : elements) {
            if (element instanceof TypeListenerBinding
                    && ((TypeListenerBinding) element).getListener() instanceof ResilientTypes
                    || element instanceof ProvisionListenerBinding && ((ProvisionListenerBinding) element)
                            .getListeners().stream().anyMatch(l -> l instanceof UncoveredBindings
                                    || l instanceof ResilientTypes || l instanceof ResilientTypes.ConstructedLater)
                    || element instanceof InjectionRequest
                            && ((InjectionRequest<?>) element).getInstance() instanceof UncoveredBindings) {
                continue; // a ReboundModule installed inside the wrapped modules: this one does its work
            }
            if (element instanceof PrivateElements) {
                PrivateElements inside = (PrivateElements) element;
                PrivateBinder binder = to.withSource(inside.getSource()).newPrivateBinder();
                apply(inside.getElements(), binder, types, multibinders);
                for (Key<?> exposed : inside.getExposedKeys()) {
                    binder.withSource(inside.getExposedSource(exposed)).expose(exposed);
                }
            } else if (!(element instanceof Binding<?>) || multibinders.isOwnBinding((Binding<?>) element)
                    || !rewrite((Binding<?>) element, to, types, multibinders)) {
                element.applyTo(to);
            }
        }
    }

    /** What an injector says when two ReboundModules with other settings would both apply the policies. */
    static final String ONCE_PER_INJECTOR = "ReboundModule: one set of settings per injector. Two ReboundModules"
            + " with different ReboundSettings would each apply every policy (3 attempts become 9); install one,"
            + " e.g. ReboundModule.wrapping(settings, moduleA, moduleB)";

    /** Equal modules are installed once by Guice, so installing ReboundModule twice is harmless. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ReboundModule && ((ReboundModule) o).settings == settings
                && ((ReboundModule) o).wrapped.equals(wrapped);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(settings) * 31 + wrapped.hashCode();
    }

    /**
     * Moves a binding of an interface to a private key and binds the key to a wrapper, when the interface
     * or the class of what it provides carries a policy: an instance's class is known now; a provider's
     * instances are wrapped when their class carries one, decided once per class by the wrapper's provider.
     */
    private <T> boolean rewrite(Binding<T> binding, Binder to, ResilientTypes types, MultibinderParts multibinders) {
        Key<T> key = binding.getKey();
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) key.getTypeLiteral().getRawType();
        if (!type.isInterface() || type.isAnnotation() || Policies.isRebound(type) || UncoveredBindings.isOriginal(key)
                || binding instanceof ProviderInstanceBinding
                        && ((ProviderInstanceBinding<?>) binding).getUserSuppliedProvider() instanceof ResilientProvider) {
            return false;
        }
        boolean annotated = Policies.annotated(type);
        if (!annotated && !byProvidedClass(binding)) {
            if (binding instanceof InstanceBinding) { // its class carries no policy, or hides it behind a JDK proxy
                ResilientProvider.warnIfClassBehindUnseen(type, ((InstanceBinding<?>) binding).getInstance());
            }
            return false;
        }
        Binder b = to.withSource(binding.getSource());
        String unwrappable = Policies.unwrappable(type);
        if (unwrappable != null) {
            if (annotated || binding instanceof InstanceBinding) {
                b.addError(new Message("ReboundModule.wrapping: " + unwrappable));
            }
            return false;
        }
        AlternativeChecks checks = types.checks();
        Key<T> original = Key.get(key.getTypeLiteral(),
                Names.named(UncoveredBindings.ORIGINAL + ORIGINALS.incrementAndGet()));
        ScopedBindingBuilder moved = binding.acceptTargetVisitor(new DefaultBindingTargetVisitor<T, ScopedBindingBuilder>() {
            @Override
            public ScopedBindingBuilder visit(InstanceBinding<? extends T> instance) {
                validate(b, type, Policies.implClassOf(instance.getInstance()), checks);
                b.bind(original).toInstance(instance.getInstance());
                return null;
            }

            @Override
            public ScopedBindingBuilder visit(ProviderInstanceBinding<? extends T> provider) {
                validate(b, type, type, checks);
                return b.bind(original).toProvider(provider.getUserSuppliedProvider());
            }

            @Override
            public ScopedBindingBuilder visit(ProviderKeyBinding<? extends T> provider) {
                validate(b, type, type, checks);
                return b.bind(original).toProvider(provider.getProviderKey());
            }

            @Override
            protected ScopedBindingBuilder visitOther(Binding<? extends T> other) {
                return NOT_MOVED;
            }
        });
        if (moved == NOT_MOVED) {
            return false;
        }
        if (moved != null) {
            binding.acceptScopingVisitor(new ScopeCopier(moved));
        }
        // an optional binder's value by the optional's qualifier, under which the application gets it
        b.bind(key).toProvider(new ResilientProvider<>(type, multibinders.qualifierOf(binding), original,
                b.getProvider(original), settings, types, !annotated));
        return true;
    }

    /**
     * Whether a binding of an interface without policies is wrapped for the class of what it provides: an
     * instance whose class carries a policy (the class behind a container's proxy that says it, as
     * {@code Rebound.wrap} reads it); any provider's (a {@code @Provides} method, {@code toProvider}),
     * whose instances are looked at once per class; not an extension's (a multibinder's set, an assisted
     * factory), whose instances are the extension's own.
     */
    private static boolean byProvidedClass(Binding<?> binding) {
        if (binding instanceof InstanceBinding) {
            return Policies.annotated(Policies.implClassOf(((InstanceBinding<?>) binding).getInstance()));
        }
        if (binding instanceof ProviderInstanceBinding) {
            Object provider = ((ProviderInstanceBinding<?>) binding).getUserSuppliedProvider();
            return !(provider instanceof ProviderWithExtensionVisitor) || provider instanceof ProvidesMethodBinding;
        }
        return binding instanceof ProviderKeyBinding;
    }

    /** Marks a binding kind that the injector constructs itself (AOP covers it) or that we keep. */
    private static final ScopedBindingBuilder NOT_MOVED = new ScopedBindingBuilder() {
        @Override
        public void in(Class<? extends Annotation> scopeAnnotation) {
        }

        @Override
        public void in(Scope scope) {
        }

        @Override
        public void asEagerSingleton() {
        }
    };

    /**
     * Resolves the policies of {@code type} on {@code implClass} now, on this module's settings (the
     * rate-limit keys and retry budgets it defines are theirs, not the global settings', when the module has
     * its own), reporting problems as errors; its alternatives are checked once the injector's bindings are
     * known.
     */
    private void validate(Binder b, Class<?> type, Class<?> implClass, AlternativeChecks checks) {
        Set<Class<?>> alternatives = new LinkedHashSet<>();
        // a policy on a static or non-public method of an instance's class: refused by ResilientTypes, which
        // hears the class (Guice injects the instance's members)
        try {
            Policies.resolveAll(implClass, type, settings, alt -> {
                alternatives.add(alt);
                return () -> null;
            });
        } catch (ReboundConfigurationException e) {
            e.problems().forEach(p -> b.addError(new Message(p)));
            return;
        }
        checks.defer(implClass, type, settings, alternatives);
    }

    /** Re-applies a binding's scope to the moved binding. */
    private static final class ScopeCopier implements BindingScopingVisitor<Void> {
        private final ScopedBindingBuilder target;

        ScopeCopier(ScopedBindingBuilder target) {
            this.target = target;
        }

        @Override
        public Void visitEagerSingleton() {
            target.asEagerSingleton();
            return null;
        }

        @Override
        public Void visitScope(Scope scope) {
            target.in(scope);
            return null;
        }

        @Override
        public Void visitScopeAnnotation(Class<? extends Annotation> scopeAnnotation) {
            target.in(scopeAnnotation);
            return null;
        }

        @Override
        public Void visitNoScoping() {
            return null;
        }
    }
}
