package dev.rebound.weaver.guice;

import com.google.inject.ConfigurationException;
import com.google.inject.Inject;
import com.google.inject.Key;
import com.google.inject.Provider;
import com.google.inject.Injector;
import com.google.inject.TypeLiteral;
import com.google.inject.matcher.Matchers;
import com.google.inject.spi.ConstructorBinding;
import com.google.inject.spi.InjectionPoint;
import com.google.inject.spi.Message;
import com.google.inject.spi.TypeEncounter;
import com.google.inject.spi.ProvisionListener;
import com.google.inject.spi.TypeListener;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.spi.AlternativeUnavailable;
import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.Woven;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Attaches an interceptor to each annotated method of every class the injector constructs, with
 * alternatives from the injector. Problems become injector-creation errors. Woven classes are left
 * alone: their aspect applies the policy already. As a provision listener (of the constructor bindings of
 * annotated classes) it marks the class of each instance it intercepts, Guice's generated subclass, for
 * {@code Rebound.isResilient} and the woven door: that subclass, not the user's class, since another
 * injector may generate a subclass of the same class for interceptors of its own.
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

    /** The refusals of the classes heard while the injector is created that Guice cannot subclass, by key. */
    private final Map<Key<?>, List<String>> refusedOnceCreated = new ConcurrentHashMap<>();
    /** Whether the injector is created: from then on it is asked as it hears a class (not held: it may be dropped). */
    private volatile boolean created;

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
        Map<Method, ResilientMethod> policies = Map.of();
        boolean deferred = !checks.checked();
        Set<Class<?>> alternatives = new LinkedHashSet<>();
        // a policy on a static or non-public method: Guice could intercept some, but no other door does
        List<String> problems = new ArrayList<>();
        Policies.unreached(type, problems); // a public helper is intercepted here, as the aspect weaves it
        try {
            policies = Policies.resolveAll(type, type, settings, alt -> {
                if (deferred) { // the injector's bindings are not all known yet: checked once they are
                    alternatives.add(alt);
                    return new InjectedAlternative(alt, null, injector, null);
                }
                try {
                    // the injector cannot be asked while it hears a type: its binding is looked at on first use
                    return new InjectedAlternative(alt, encounter.getProvider(alt), injector, checks);
                } catch (ConfigurationException e) { // a just-in-time binding made after the injector
                    throw new AlternativeUnavailable(AlternativeChecks.reason(e));
                }
            });
        } catch (ReboundConfigurationException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            problems.forEach(p -> encounter.addError(new Message(p)));
            return;
        }
        checks.defer(type, type, settings, alternatives);
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
            List<String> refusals = new ArrayList<>();
            policies.values().forEach(policy -> refusals.add(Rules.at(policy.name(), unsubclassable.problem())));
            if (refuseIfConstructed(literal, refusals, encounter)) {
                return;
            }
        }
        policies.forEach((m, policy) -> {
            if (Modifier.isFinal(m.getModifiers())) {
                encounter.addError(new Message(Rules.at(policy.name(), MethodRules.finalUnderGuice(type.getName()))));
                return;
            }
            encounter.bindInterceptor(Matchers.only(m), new ResilientInterceptor(policy));
            intercepted.add(type);
            // for a woven class, the injector's subclass applies the policy with the injector's alternatives
            // and the woven advice steps aside for the instances of that subclass (marked at provision)
            ContainerInterception.register(type);
        });
    }

    /**
     * Refuses the policies of a class Guice cannot subclass (in {@code refusals}) if the injector constructs
     * it; the type of an instance ({@code toInstance}, {@code injectMembers}) is heard too, and is no error.
     * While the injector is created its bindings are not all known: the refusals wait for
     * {@link #refuseConstructedUnsubclassable}. After, a class the injector does not construct (the type
     * of an instance, or a class a child injector constructs) gets its interceptors as before.
     *
     * @return whether the type is done with: refused, or waiting
     */
    private boolean refuseIfConstructed(TypeLiteral<?> literal, List<String> refusals, TypeEncounter<?> encounter) {
        if (!created) {
            refusedOnceCreated.put(Key.get(literal), List.copyOf(refusals));
            return true;
        }
        Injector injector;
        try {
            injector = encounter.getProvider(Injector.class).get();
        } catch (IllegalStateException childBeingCreated) {
            return false;
        }
        if (injector.getExistingBinding(Key.get(literal)) instanceof ConstructorBinding) {
            refusals.forEach(p -> encounter.addError(new Message(p)));
            return true;
        }
        // an instance's type: Guice ignores its interceptors (a child injector constructing it fails in Guice's words)
        return false;
    }

    /**
     * Once every binding of the injector is known, at its creation: the policies of each class it constructs
     * and cannot subclass, as errors of the creation. Else Guice fails on its own ({@code Unable to method
     * intercept}), naming neither the method nor the policy.
     */
    @Inject
    void refuseConstructedUnsubclassable(Injector injector) {
        List<Message> problems = new ArrayList<>();
        refusedOnceCreated.forEach((key, refusals) -> {
            if (injector.getExistingBinding(key) instanceof ConstructorBinding) {
                refusals.forEach(p -> problems.add(new Message(p)));
            }
        });
        refusedOnceCreated.clear();
        created = true;
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
    }

    /**
     * Marks the class of an instance this injector made with our interceptors, before any call on it
     * returns to the caller (a call the instance makes on itself while it is made is marked by the
     * interceptor itself).
     */
    @Override
    public <T> void onProvision(ProvisionInvocation<T> provision) {
        T provided = provision.provision();
        if (provided != null && isIntercepted(provided)) {
            ContainerInterception.registerSubclass(provided.getClass());
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
