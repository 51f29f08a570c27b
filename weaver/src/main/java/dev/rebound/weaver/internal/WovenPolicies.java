package dev.rebound.weaver.internal;

import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.GeneratedSubclasses;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientEnum;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.weaver.Woven;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The policies of a woven class or enum, resolved once per class (when it is initialised) with
 * alternatives from the global {@code AlternativeResolver}. A misconfigured class fails its
 * initialisation with a {@link ReboundConfigurationException}, never a call.
 */
public final class WovenPolicies {

    private static final ClassValue<Map<Method, ResilientMethod>> BY_CLASS = new ClassValue<>() {
        @Override
        protected Map<Method, ResilientMethod> computeValue(Class<?> type) {
            return resolveAll(type);
        }
    };

    /**
     * Said once per class that ajc never wove (javac's, a lambda's, a hidden class), at the first call of a
     * woven default method on it that no door makes: which of the class's own methods carry a policy that
     * no advice applies. Never through a door that applies them ({@code Rebound.wrap}, Guice's
     * {@code ReboundModule}): there they do apply.
     */
    private static final ClassValue<Boolean> TOLD = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            List<String> notApplied = notApplied(type, BY_CLASS.get(type));
            if (!notApplied.isEmpty()) {
                warnUnwovenClass(type, notApplied);
            }
            return Boolean.TRUE;
        }
    };

    private WovenPolicies() {
    }

    /**
     * Resolves every policy of {@code type} now.
     *
     * @throws ReboundConfigurationException listing every problem of the class
     */
    public static void validate(Class<?> type) {
        Class<?> user = GeneratedSubclasses.userClass(type);
        if (user != type) {
            // a class a generator made over one of the application's, woven by the load-time agent (ArC's
            // Impl_Subclass, Micronaut's $Impl$Definition$Intercepted): its calls run under the policies of the class
            // above it, which a woven class validated as it initialised (before this one), and which are resolved
            // now for one the agent did not weave; its own are never read
            if (!Woven.class.isAssignableFrom(user)) {
                try {
                    BY_CLASS.get(user);
                } catch (LinkageError missingType) {
                    // as below: resolved, and refused if need be, on the first call of the methods concerned
                }
            }
            return;
        }
        // any other class is validated as it initialises, a generated one over Object included (Micronaut's client
        // Chat$Intercepted, ArC's Chat_ClientProxy): no class above it validated the policies its calls run under.
        // An enum has no slots of its own (it can't be Woven): its join points are ResilientMethods'
        if (Woven.class.isAssignableFrom(type) && !hasClassAspect(type)) {
            throw new ReboundConfigurationException(List.of(type.getName() + " was woven without the aspect "
                    + CLASS_ASPECT + ", which applies the policies of a class's methods: declare it beside "
                    + "ResilientMethods and Recovery (in your aop.xml's <aspects>)"));
        }
        try {
            warnSynchronized(type, BY_CLASS.get(type));
        } catch (LinkageError missingType) {
            // a signature names a class absent at run time: the class stays usable, its methods
            // resolve on their first call (and fail there only if they are the ones concerned)
        }
    }

    /**
     * Each {@code synchronized} method {@code type} declares that a policy reaches, said once as the class
     * initialises: woven, the method holds the object's monitor through every attempt and every wait
     * between them. The build's warning ({@code ResilientMethods}) sees the policies a static pattern can
     * (on the method, its class, its interfaces); this one sees every policy, one inherited from a
     * superclass's method included.
     */
    private static void warnSynchronized(Class<?> type, Map<Method, ResilientMethod> policies) {
        if (!Woven.class.isAssignableFrom(type)) {
            return;
        }
        for (Map.Entry<Method, ResilientMethod> e : policies.entrySet()) {
            Method m = e.getKey();
            if (e.getValue() == null || !holdsOn(e.getValue())) {
                continue;
            }
            try {
                Method body = type.getMethod(m.getName(), m.getParameterTypes());
                if (body.getDeclaringClass() == type && Modifier.isSynchronized(body.getModifiers())) {
                    String own = type.getSimpleName() + "." + m.getName() + Arrays.stream(m.getParameterTypes())
                            .map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
                    Policies.warn(MethodRules.synchronizedWoven(own.equals(e.getValue().name()) ? own
                            : own + " (under the policy of " + e.getValue().name() + ")"));
                }
            } catch (NoSuchMethodException notPublic) {
                // a door intercepts public methods only
            }
        }
    }

    /**
     * Whether {@code policy} keeps its method running past one attempt: retries (and their waits),
     * alternatives, or a rate limit's wait. One that applies none of them (a method opted out of its type's
     * {@code @Fallback} with {@code to = {}}, say) holds a monitor no longer than the method alone.
     */
    private static boolean holdsOn(ResilientMethod policy) {
        if (!(policy instanceof dev.rebound.runtime.spi.MethodDiagnostics d)) {
            return true;
        }
        return d.primaryRetry().attempts() > 1 || !d.alternatives().isEmpty() || d.rateLimit() != null;
    }

    private static final String CLASS_ASPECT = "dev.rebound.weaver.aspectj.ResilientClasses";

    /**
     * Whether {@code type} holds its instance of the per-class aspect (the static field ajc adds to every
     * class it weaves the aspect into): without it, a load-time configuration that names only the other
     * aspects would leave the class's methods without their policies, silently.
     */
    private static boolean hasClassAspect(Class<?> type) {
        String field = "ajc$" + CLASS_ASPECT.replace('.', '_') + "$ptwAspectInstance";
        for (java.lang.reflect.Field f : type.getDeclaredFields()) {
            if (f.getName().equals(field)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The policy of {@code method} on instances of {@code type}, or null. A method that {@code type}
     * overrides has none (a {@code super} call runs under the override's policy already).
     */
    public static ResilientMethod of(Class<?> type, Method method) {
        return BY_CLASS.get(type).get(method);
    }

    /**
     * The woven advice of a default method runs on an instance of {@code type} and no door is calling it
     * (no door applies the class's policies around the call): for a class ajc never wove, says once which
     * of its own methods' policies no advice applies.
     */
    public static void reached(Class<?> type) {
        if (unwoven(type)) {
            TOLD.get(type);
        }
    }

    /**
     * Whether {@code type} is a class that ajc never wove: neither {@link Woven} nor a marked enum (a
     * class compiled by javac alone, or outside the load-time weaving scope; a lambda's or another hidden
     * class). Only the woven default methods it inherits reach it, each under its own policy.
     */
    private static boolean unwoven(Class<?> type) {
        return !Woven.class.isAssignableFrom(type) && !type.isAnnotationPresent(ResilientEnum.class);
    }

    private static Map<Method, ResilientMethod> resolveAll(Class<?> type) {
        if (type.isInterface() || !Policies.annotated(type)) {
            return Map.of();
        }
        Class<?> enumType = enumOf(type);
        if (enumType != null && Policies.carriesPolicy(enumType)) {
            throw new ReboundConfigurationException(List.of(Rules.at(enumType.getSimpleName(),
                    MethodRules.enumTypePolicy())));
        }
        // a policy on Object's methods, or on an interface's private or static method, that ajc never saw
        List<String> problems = new ArrayList<>();
        Policies.neverIntercepted(type, problems);
        Map<Method, ResilientMethod> policies = Map.of();
        try {
            policies = Policies.resolveAll(type, type, null, alt -> alternative(type, alt));
        } catch (ReboundConfigurationException e) {
            problems.addAll(e.problems());
        }
        // a class ajc never wove (javac's, a lambda's, a bytecode generator's hidden class) is found on a call
        // of a woven default method it inherits: only those run under a policy; of its own methods' policies
        // it is told (reached), never refused: a door such as Rebound.wrap may apply them, and the woven
        // default must run as the docs say, as for a lambda
        if (unwoven(type)) {
            if (!problems.isEmpty()) {
                throw new ReboundConfigurationException(problems);
            }
            return Map.copyOf(policies);
        }
        List<String> unwoven = new ArrayList<>();
        policies.forEach((m, policy) -> {
            if (m.isDefault() && !wovenDefault(m)) {
                unwoven.add(m.getDeclaringClass().getSimpleName() + "." + m.getName() + " gets "
                        + String.join(", ", Policies.annotationsOf(type, m)));
            }
            if (!advised(m)) {
                problems.add(unwovenBody(type, m, policy));
            }
        });
        if (!problems.isEmpty()) {
            throw new ReboundConfigurationException(problems);
        }
        if (!unwoven.isEmpty() && !Modifier.isAbstract(type.getModifiers())) { // its subclasses say it
            warnUnwovenDefaults(type, unwoven);
        }
        return Map.copyOf(policies);
    }

    /** The enum {@code type} is, or whose constant's class body it is; null for any other class. */
    private static Class<?> enumOf(Class<?> type) {
        return type.isEnum() ? type : type.getSuperclass() != null && type.getSuperclass().isEnum()
                ? type.getSuperclass() : null;
    }

    /**
     * Where an alternative of the woven class {@code woven} comes from: made now, when the class is
     * initialised, by the global {@code AlternativeResolver}, so that one it cannot make fails the
     * initialisation (the resolver's exception becomes the configuration error). One exception: a class that
     * Guice's {@code ReboundModule} intercepts already (it heard the class before making an instance, so
     * before the class is initialised) gets the alternatives of the instances it makes from the injector; an
     * alternative built for injection (an {@code @Inject} constructor) that the resolver cannot make is then
     * asked for again at the first fallback of an instance made outside the injector.
     */
    private static Supplier<?> alternative(Class<?> woven, Class<?> type) {
        try {
            return Policies.globalAlternative(type);
        } catch (RuntimeException notNow) {
            if (!injectable(type) || !ContainerInterception.registered(woven)) {
                throw notNow;
            }
        }
        return new Supplier<Object>() {
            /** The noted supplier the global resolver's instance comes in, kept: the policy holds it. */
            private volatile Supplier<Object> made;

            @Override
            public Object get() {
                Supplier<Object> m = made;
                if (m == null) {
                    m = Policies.globalAlternative(type);
                    made = m;
                }
                return m.get();
            }
        };
    }

    /** Whether {@code type} has a constructor annotated {@code @Inject} (JSR-330, Jakarta or Guice). */
    private static boolean injectable(Class<?> type) {
        for (java.lang.reflect.Constructor<?> c : type.getDeclaredConstructors()) {
            for (java.lang.annotation.Annotation a : c.getAnnotations()) {
                if (a.annotationType().getSimpleName().equals("Inject")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Says, once per class, which default methods it inherits carry a policy that ajc did not weave
     * (their interface was compiled without the aspect: the JDK's, a library's): the policy then applies
     * only to the calls they make to the class's own methods, not around the whole call.
     */
    private static void warnUnwovenDefaults(Class<?> type, List<String> methods) {
        methods.sort(null);
        boolean one = methods.size() == 1;
        Policies.warn(type.getName() + ": " + String.join("; ", methods) + "; "
                + (one ? "that default method was" : "those default methods were") + " not woven (the interface "
                + "was compiled without Rebound's aspect), so " + (one ? "its policy applies" : "their policies apply")
                + " only to the calls made to " + type.getSimpleName() + "'s own methods, not around the whole call. "
                + "To apply it around the call, override the method in " + type.getSimpleName() + " calling "
                + "Iface.super.method(...); or, for a type-level annotation, put it on the methods you mean");
    }

    /** The methods of the unwoven class {@code type} whose policies no advice applies, as "run gets @Retry". */
    private static List<String> notApplied(Class<?> type, Map<Method, ResilientMethod> policies) {
        List<String> notApplied = new ArrayList<>();
        policies.forEach((m, policy) -> {
            if (m.isDefault() ? !wovenDefault(m) : !advised(m)) {
                notApplied.add(m.getName() + " gets " + String.join(", ", Policies.annotationsOf(type, m)));
            }
        });
        notApplied.sort(null);
        return notApplied;
    }

    /**
     * Says, once per class ajc never wove, which of its methods carry a policy that no advice applies (their
     * bodies were never woven), and what to do instead.
     */
    private static void warnUnwovenClass(Class<?> type, List<String> methods) {
        boolean one = methods.size() == 1;
        String applies = (one ? "that policy does" : "those policies do") + " not apply to its own "
                + (one ? "method" : "methods") + " (a woven default method it inherits still applies its own). ";
        if (type.isHidden()) {
            Policies.warn(type.getName() + " is a hidden class (a lambda's, a method reference's, or one a bytecode "
                    + "generator defined), which is never woven: " + String.join("; ", methods) + ", so " + applies
                    + "Wrap the object with Rebound.wrap to apply " + (one ? "it" : "them"));
        } else {
            Policies.warn(type.getName() + " was not woven (compiled without Rebound's aspect, or loaded outside the "
                    + "load-time weaving scope): " + String.join("; ", methods) + ", so " + applies
                    + "Weave the class, or call the object through Rebound.wrap or Guice's ReboundModule, which "
                    + "apply " + (one ? "it" : "them"));
        }
    }

    /**
     * Why {@code type}'s policy would not apply to {@code m}, a method it inherits from a class ajc did
     * not weave, and the fix.
     */
    private static String unwovenBody(Class<?> type, Method m, ResilientMethod policy) {
        Class<?> owner = m.getDeclaringClass();
        String base = owner.getSimpleName();
        boolean policyFree = !Modifier.isAbstract(owner.getModifiers()) && !Policies.annotated(owner);
        return policy.name() + ": " + type.getSimpleName() + " runs " + base + "." + m.getName()
                + ", which was not woven (" + (policyFree ? base + " carries no policy and is not abstract"
                        : base + " was compiled or loaded without Rebound's aspect: a library's class built by "
                                + "javac, or one outside the load-time weaving scope")
                + "), so its " + String.join(", ", Policies.annotationsOf(type, m)) + " would not apply; override "
                + m.getName() + " in " + type.getSimpleName() + " (calling super)"
                + (policyFree ? ", or make " + base + " abstract" : "");
    }

    /**
     * Whether ajc wove the default method {@code m}: its interface then holds the method's body as a
     * static {@code name_aroundBodyN(Iface, params...)}, which the advice calls.
     */
    private static boolean wovenDefault(Method m) {
        return wovenBody(m, false);
    }

    /**
     * Whether the body of {@code m} runs under Rebound's advice. An interface's abstract or default
     * method is not checked here (an unwoven default is warned about); an abstract method has no body (its
     * implementation is checked in its own class). A class's method must have been woven by Rebound's
     * aspect, whatever the class's shape: the weave of an abstract class or of a class that carries a
     * policy is checked, not assumed, since such a class may come from a library jar built by javac, or
     * from outside the load-time weaving scope.
     */
    private static boolean advised(Method m) {
        return m.getDeclaringClass().isInterface() || Modifier.isAbstract(m.getModifiers()) || wovenBody(m, true);
    }

    private static final String ADVICE = "dev.rebound.weaver.aspectj.ResilientCalls";

    /** Whether ajc wove the body of {@code m}, with Rebound's advice when {@code ours} ({@link Policies#wovenBody}). */
    private static boolean wovenBody(Method m, boolean ours) {
        return Policies.wovenBody(m, ours ? ADVICE : null);
    }
}
