package dev.rebound.runtime.internal;

import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.rules.RetryRules;
import dev.rebound.runtime.rules.Rules;
import dev.rebound.runtime.spi.GeneratedSubclasses;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a method's annotations are found: on the implementation's method (and its superclasses'), on
 * the interfaces' (generics resolved by {@link Overrides}), on the implementation's type, on the
 * contract's; and how logs and errors name a method. Used once per method, when its policy is resolved.
 */
public final class AnnotationLookup {

    private AnnotationLookup() {
    }

    /**
     * The type a method belongs to: the one that names it in logs and events (with its own declaration of the
     * method: {@code Replier.reply(Object)}), scopes its retry budget and rate limit, and that its alternatives
     * must implement; configuration errors name the declaration that carries the annotation ({@link
     * #carrierName}). That is the interface where a policy
     * for it is written (on its own declaration of the method, or on its type), the most specific one if
     * several are, nearest first; so {@code class Primary implements Completer, Chat}, where only {@code
     * Chat.chat} is annotated, belongs to {@code Chat} whatever the order of the {@code implements} clause,
     * through every door; a class implementing {@code SubChat extends Chat} belongs to {@code Chat} too;
     * and {@code @Retry interface Chat extends Function<String, String>} names {@code Chat.apply(Object)}.
     * Without one (the policy is the class's): the first interface of {@code implClass} through which the
     * method is callable, in {@link #allInterfaces}' order (the class's own, in the order of its {@code
     * implements} clause, then its superclasses', then theirs, breadth first), else the topmost class that
     * declares it; so {@code class Impl implements Chat}, {@code Chat extends Base}, where only {@code Base}
     * declares {@code chat}, belongs to {@code Chat}, whichever door calls it and whichever interface
     * {@code Rebound.wrap} was given. The annotation processor follows the same rule
     * ({@code TypeModel.contractOf}).
     */
    public static Class<?> contractOf(Class<?> implClass, Method method) {
        List<Class<?>> nearest = nearestInterfaces(itf -> MethodScan.carriesPolicy(itf)
                || MethodScan.carriesPolicy(Overrides.declaredIn(itf, implClass, method)), implClass, method);
        if (!nearest.isEmpty()) {
            return nearest.get(0);
        }
        for (Class<?> itf : allInterfaces(implClass)) {
            if (Overrides.find(itf, implClass, method) != null) {
                return itf;
            }
        }
        Class<?> top = method.getDeclaringClass();
        for (Class<?> c = top.getSuperclass(); c != null && c != Object.class; c = c.getSuperclass()) {
            if (Overrides.find(c, implClass, method) != null) {
                top = c;
            }
        }
        return top;
    }

    /** A class's simple name; for an anonymous class, its binary name without the package ({@code Shapes$1}). */
    public static String simpleName(Class<?> c) {
        String simple = c.getSimpleName();
        return simple.isEmpty() ? c.getName().substring(c.getName().lastIndexOf('.') + 1) : simple;
    }

    /** {@code ChatClient.chat(String)}. */
    public static String describe(Class<?> owner, Method method) {
        return simpleName(owner) + "." + method.getName() + Arrays.stream(method.getParameterTypes())
                .map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
    }
    /**
     * {@code com.acme.ChatClient.chat(java.lang.String)}: as {@link #describe}, with fully qualified names
     * (parameters by erasure), the same on every JVM that loads the same classes: how the fleet names a
     * method whose circuit breaker's open state it shares.
     */
    public static String qualified(Class<?> owner, Method method) {
        return owner.getName() + "." + method.getName() + Arrays.stream(method.getParameterTypes())
                .map(Class::getTypeName).collect(Collectors.joining(", ", "(", ")"));
    }

    /**
     * A class's binary name, the same on every JVM that loads it: a lambda's ({@code app.Main$$Lambda$74/0x...})
     * ends at {@code $$Lambda}, another hidden class's before its address; a JDK proxy's ({@code
     * jdk.proxy2.$Proxy28}, numbered anew in each run) is the interface it stands for; a class a container or
     * library generated at run time ({@code com.acme.Backend$$EnhancerByGuice$$1a2b}, its suffix anew in each run:
     * {@link GeneratedSubclasses}) is the user's class it extends, {@code com.acme.Backend}, or the interface it
     * stands for (a mock of {@code com.acme.ReviewChat}): {@link GeneratedSubclasses#namedAs(Class)}; how the fleet
     * names a target no door wraps as an interface (the woven advice's, an alternative's).
     */
    public static String qualifiedName(Class<?> type) {
        return qualifiedName(type, null);
    }

    /**
     * As {@link #qualifiedName(Class)}, for the instances a door wraps as {@code wrapped} (an interface, or null):
     * the class or interface {@link #targetName} names in events, by its binary name; so a class generated to stand
     * for several interfaces, or a JDK proxy of several, is keyed in the fleet by the one events name
     * ({@link GeneratedSubclasses#namedAs(Class, Class)}: the one it is wrapped as), the same on every instance.
     */
    public static String qualifiedName(Class<?> type, Class<?> wrapped) {
        Class<?> c = GeneratedSubclasses.namedAs(type, wrapped);
        return c.isHidden() ? beforeRunSpecificPart(c.getName()) : c.getName();
    }

    /**
     * How events, logs and metrics name the instances of {@code type} when a door calls them, the one rule of
     * {@code Rebound.wrap}, of {@code ReboundModule} (intercepting the class or wrapping what a binding provides)
     * and of the woven advice, the same in every run: the simple name ({@link #simpleName}) of the class or
     * interface it stands for ({@link GeneratedSubclasses#namedAs(Class, Class)}: a class a container or library
     * generated over a user's class is named by that class, {@code Sub$$Backend} without an annotation of its own
     * by the class above it, a mock of an interface, and a JDK proxy, by the interface, the one it is wrapped as
     * when it implements several); a lambda's or another hidden class's up to the part that changes from run to run
     * ({@code Main$$Lambda}). The fleet names it by the same class or interface ({@link #qualifiedName(Class,
     * Class)}).
     *
     * @param wrapped the type the door calls the instances as (the interface it wraps them as), or null
     */
    public static String targetName(Class<?> type, Class<?> wrapped) {
        Class<?> c = GeneratedSubclasses.namedAs(type, wrapped);
        return c.isHidden() ? beforeRunSpecificPart(c.getSimpleName()) : simpleName(c);
    }

    /**
     * A hidden class's name up to what changes from run to run: a lambda's ({@code Main$$Lambda$74/0x00007f29...})
     * to {@code $$Lambda}, another's to its address.
     */
    private static String beforeRunSpecificPart(String name) {
        int lambda = name.indexOf("$$Lambda");
        int address = name.indexOf('/');
        return lambda > 0 ? name.substring(0, lambda + "$$Lambda".length()) : address > 0 ? name.substring(0, address)
                : name;
    }

    /**
     * The annotation that applies: implementation method, contract method, implementation type,
     * contract type.
     */
    public static <A extends Annotation> A find(Class<A> type, Class<?> implClass, Class<?> contract, Method m) {
        A onMethod = findOnMethod(type, implClass, contract, m);
        return onMethod != null ? onMethod : findOnType(type, implClass, contract, m);
    }

    /** The annotation on the method: implementation's (and superclasses'), then the interfaces'. */
    public static <A extends Annotation> A findOnMethod(Class<A> type, Class<?> implClass, Class<?> contract,
            Method m) {
        Method carrier = methodCarrying(type, implClass, contract, m);
        return carrier == null ? null : carrier.getAnnotation(type);
    }

    /**
     * The declaration of {@code m} that carries the {@code type} annotation {@link #findOnMethod} reads: the
     * implementation's (or a superclass's), then the interfaces', then the contract's; as the source declares it,
     * never a bridge (javac copies the annotations of the method a bridge calls onto it; that method is the one
     * that carries them), unless a bridge is all there is. Null when none carries one.
     */
    static Method methodCarrying(Class<? extends Annotation> type, Class<?> implClass, Class<?> contract, Method m) {
        Method bridge = null;
        for (Class<?> c : classesThenInterfaces(implClass)) {
            Method own = Overrides.declaredIn(c, implClass, m);
            if (own != null && own.isAnnotationPresent(type)) {
                if (!own.isBridge()) {
                    return own;
                }
                bridge = bridge != null ? bridge : own; // an access bridge: the method it calls is further on
            }
        }
        if (contract != implClass && !contract.isAssignableFrom(implClass)) {
            Method own = Overrides.find(contract, implClass, m);
            if (own != null && own.isAnnotationPresent(type) && (!own.isBridge() || bridge == null)) {
                return own;
            }
        }
        return bridge;
    }

    /** {@code c} and its superclasses below Object, then its interfaces ({@link #allInterfaces}): lookup order. */
    private static Set<Class<?>> classesThenInterfaces(Class<?> c) {
        Set<Class<?>> out = new LinkedHashSet<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            out.add(k);
        }
        out.addAll(allInterfaces(c));
        return out;
    }

    /**
     * How a configuration problem of the {@code type} annotation that applies to {@code m} on {@code implClass}
     * names the method, the same through every door and by the annotation processor: the declaration that
     * carries it, as the source declares it ({@code Own.reply(String)} for {@code class Own implements
     * Replier<String>}, whether a door resolves {@code Own.reply(String)} or the interface's erased {@code
     * Replier.reply(Object)}; {@code Base.reply(String)} for a body inherited from {@code Base}), never a bridge; a
     * type-level one (when {@code typeLevel}), the annotated type with the method as that type has it ({@code
     * Typed.ask(String)}, {@code Chat.apply(Object)} for {@code interface Chat extends Function<String, String>}).
     * Null when no such annotation applies. Asked once per method, when its policy is resolved.
     */
    public static String carrierName(Class<? extends Annotation> type, Class<?> implClass, Class<?> contract,
            Method m, boolean typeLevel) {
        Method carrier = methodCarrying(type, implClass, contract, m);
        if (carrier != null) {
            return describe(carrier.getDeclaringClass(), carrier);
        }
        Class<?> annotated = typeLevel ? typeCarrying(type, implClass, contract, m) : null;
        return annotated == null ? null : declaredName(annotated, implClass, m);
    }

    /**
     * {@code m} named after {@code owner} (a type of {@code impl}'s, or {@code impl} itself) with its parameters as
     * {@code owner} declares or inherits the method, never a bridge's: {@code Own.reply(String)} for the erased
     * {@code Replier.reply(Object)} of {@code class Own implements Replier<String>}; {@code m}'s own when none does.
     */
    public static String declaredName(Class<?> owner, Class<?> impl, Method m) {
        for (Class<?> k : classesThenInterfaces(owner)) {
            Method own = Overrides.declaredIn(k, impl, m);
            if (own != null && !own.isBridge()) {
                return describe(owner, own);
            }
        }
        return describe(owner, m);
    }

    /**
     * Two unrelated interfaces of {@code implClass} that annotate the same method differently, with no
     * annotation on the class's own method to settle it, would make the policy depend on the order of
     * an {@code implements} clause: a configuration error instead.
     */
    static <A extends Annotation> void checkInterfacesAgree(Class<A> type, Class<?> implClass, Method m,
            String name, List<String> problems) {
        for (Class<?> c = implClass; c != null && c != Object.class; c = c.getSuperclass()) {
            Method own = Overrides.declaredIn(c, implClass, m);
            if (own != null && own.isAnnotationPresent(type)) {
                return;
            }
        }
        Class<?> first = null;
        A chosen = null;
        for (Class<?> itf : allInterfaces(implClass)) {
            Method own = Overrides.declaredIn(itf, implClass, m);
            if (own == null || !own.isAnnotationPresent(type)) {
                continue;
            }
            A a = own.getAnnotation(type);
            if (chosen == null) {
                first = itf;
                chosen = a;
            } else if (!chosen.equals(a) && !itf.isAssignableFrom(first) && !first.isAssignableFrom(itf)) {
                problems.add(Rules.at(name, MethodRules.interfacesDisagree("@" + type.getSimpleName(),
                        first.getSimpleName(), itf.getSimpleName(), m.getName(),
                        implClass.isHidden() || implClass.isSynthetic() ? null : implClass.getSimpleName())));
                return;
            }
        }
        if (chosen == null) {
            checkTypesAgree(type, implClass, m, name, problems);
        }
    }

    /**
     * The type-level annotation that reaches {@code m}: on the implementation's type (or, the annotations
     * being {@code @Inherited}, its nearest superclass that has one), else on the most specific interface
     * of the implementation through which {@code m} is callable (inherited methods included: the
     * wrapped type's own annotation reaches {@code Function.apply} that it inherits), else on the contract.
     */
    public static <A extends Annotation> A findOnType(Class<A> type, Class<?> implClass, Class<?> contract,
            Method m) {
        Class<?> carrier = typeCarrying(type, implClass, contract, m);
        return carrier == null ? null : carrier.getAnnotation(type);
    }

    /**
     * The type whose {@code type} annotation {@link #findOnType} reads: {@code implClass} or its nearest superclass
     * that declares one, else the most specific interface, else the contract; null when none has one.
     */
    private static Class<?> typeCarrying(Class<? extends Annotation> type, Class<?> implClass, Class<?> contract,
            Method m) {
        if (implClass.getAnnotation(type) != null) {
            Class<?> c = implClass;
            while (c.getDeclaredAnnotation(type) == null && c.getSuperclass() != null) {
                c = c.getSuperclass(); // @Inherited: the nearest superclass that declares it
            }
            return c;
        }
        List<Class<?>> nearest = nearestInterfaces(c -> c.isAnnotationPresent(type), implClass, m);
        return !nearest.isEmpty() ? nearest.get(0) : contract.isAnnotationPresent(type) ? contract : null;
    }

    /**
     * Two interfaces of {@code implClass}, neither extending the other, whose type-level annotations both
     * reach {@code m} and differ, with nothing nearer to settle it (an annotation on the method, on the
     * class or on an interface extending both): a configuration error, as for method-level ones.
     */
    private static <A extends Annotation> void checkTypesAgree(Class<A> type, Class<?> implClass, Method m,
            String name, List<String> problems) {
        if (implClass.getAnnotation(type) != null) {
            return;
        }
        List<Class<?>> nearest = nearestInterfaces(c -> c.isAnnotationPresent(type), implClass, m);
        for (Class<?> other : nearest.subList(Math.min(1, nearest.size()), nearest.size())) {
            if (!nearest.get(0).getAnnotation(type).equals(other.getAnnotation(type))) {
                problems.add(Rules.at(name, MethodRules.typesDisagree("@" + type.getSimpleName(),
                        nearest.get(0).getSimpleName(), other.getSimpleName(), m.getName())));
                return;
            }
        }
    }

    /**
     * The interfaces of {@code implClass} (itself included when it is one) that satisfy {@code carries}
     * and through which {@code m} is callable, without those another of them extends: the most specific,
     * nearest first.
     */
    private static List<Class<?>> nearestInterfaces(java.util.function.Predicate<Class<?>> carries,
            Class<?> implClass, Method m) {
        List<Class<?>> found = new ArrayList<>();
        for (Class<?> itf : allInterfaces(implClass)) {
            if (carries.test(itf) && Overrides.find(itf, implClass, m) != null) {
                found.add(itf);
            }
        }
        found.removeIf(c -> found.stream().anyMatch(sub -> sub != c && c.isAssignableFrom(sub)));
        return found;
    }

    /**
     * The binary name of another library's retry annotation ({@link RetryRules#OTHER_LIBRARIES_RETRIES},
     * matched by name) on {@code m} as {@code implClass} runs it: on its declaration in the class, a
     * superclass or an interface, else on one of those types; null when there is none.
     */
    public static String otherLibraryRetry(Class<?> implClass, Class<?> contract, Method m) {
        List<Class<?>> types = new ArrayList<>();
        for (Class<?> c = implClass; c != null && c != Object.class; c = c.getSuperclass()) {
            types.add(c);
        }
        types.addAll(allInterfaces(implClass));
        if (!types.contains(contract)) {
            types.add(contract);
        }
        for (Class<?> c : types) {
            String found = otherLibraryRetry(Overrides.declaredIn(c, implClass, m));
            if (found != null) {
                return found;
            }
        }
        for (Class<?> c : types) {
            String found = otherLibraryRetry(c);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static String otherLibraryRetry(java.lang.reflect.AnnotatedElement e) {
        if (e == null) {
            return null;
        }
        for (Annotation a : e.getDeclaredAnnotations()) {
            String name = a.annotationType().getName();
            if (RetryRules.OTHER_LIBRARIES_RETRIES.contains(name)) {
                return name;
            }
        }
        return null;
    }

    /** Every interface of {@code c} and its superclasses, nearest first. */
    public static List<Class<?>> allInterfaces(Class<?> c) {
        Set<Class<?>> out = new LinkedHashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>();
        if (c.isInterface()) {
            todo.add(c);
        }
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            todo.addAll(Arrays.asList(k.getInterfaces()));
        }
        while (!todo.isEmpty()) {
            Class<?> i = todo.poll();
            if (out.add(i)) {
                todo.addAll(Arrays.asList(i.getInterfaces()));
            }
        }
        return new ArrayList<>(out);
    }
}
