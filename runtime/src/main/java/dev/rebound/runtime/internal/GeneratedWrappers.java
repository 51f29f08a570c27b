package dev.rebound.runtime.internal;

import dev.rebound.runtime.spi.GeneratedWrapper;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the class the weaver's annotation processor generated for an interface ({@code app.Chat$$Rebound},
 * a {@link GeneratedWrapper}), once per interface, through the interface's class loader; null when it is
 * absent, cannot be loaded or made, or does not implement exactly the interface's methods. Then
 * {@code Rebound.wrap} uses a JDK proxy ({@link ResilientProxy}): slower, the same policy. Says which
 * at DEBUG, once per interface, on the {@code dev.rebound} logger.
 */
public final class GeneratedWrappers {

    private static final Logger LOG = LoggerFactory.getLogger("dev.rebound");

    private static final ClassValue<Found> FOUND = new ClassValue<>() {
        @Override
        protected Found computeValue(Class<?> type) {
            return find(type);
        }
    };

    /**
     * The wrappers a container door made flat ({@link #createFlat}): configuration, one entry per provided
     * instance, dropped with it.
     */
    private static final Set<Object> FLAT = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private GeneratedWrappers() {
    }

    /** A generated class's constructor and the interface's methods in the order it takes their policies. */
    private record Found(Constructor<?> constructor, Method[] order, String whyNot) {
    }

    /**
     * An instance of {@code type}'s generated class over {@code target} applying {@code policies}, or null
     * when there is none that fits (the caller makes a proxy).
     */
    public static <T> T create(Class<T> type, T target, String name, Map<Method, ResilientMethod> policies) {
        Found found = FOUND.get(type);
        if (found.constructor == null) {
            return null;
        }
        ResilientMethod[] ordered = new ResilientMethod[found.order.length];
        for (int i = 0; i < ordered.length; i++) {
            ordered[i] = policies.get(found.order[i]);
            if (ordered[i] != null && WovenDefaults.marksCalls(target, found.order[i])) {
                // the generated class calls the target directly, unmarked: the woven default's advice would
                // apply the policy a second time; the proxy marks those calls
                LOG.debug("Rebound.wrap({}): {} was not woven and {} is a woven default method; using a JDK proxy",
                        type.getSimpleName(), target.getClass().getName(), found.order[i].getName());
                return null;
            }
        }
        try {
            return type.cast(found.constructor.newInstance(target, name, ordered));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("Rebound.wrap({}): could not make {} ({}); using a JDK proxy", type.getSimpleName(),
                    generatedName(type), e.getClass().getSimpleName());
            return null;
        }
    }

    /**
     * As {@link #create}, flat: a call the engine makes on it as an alternative goes to its target
     * ({@link #flatTarget}), as the flat proxy's does, so that the engine's flat chain applies each
     * policy once. For a container door's wrappers ({@code ReboundModule.wrapping}).
     */
    public static <T> T createFlat(Class<T> type, T target, String name, Map<Method, ResilientMethod> policies) {
        T wrapper = create(type, target, name, policies);
        if (wrapper != null) {
            FLAT.add(wrapper);
        }
        return wrapper;
    }

    /** The target of a flat wrapper ({@link #createFlat}); null for anything else. */
    static Object flatTarget(GeneratedWrapper wrapper) {
        return FLAT.contains(wrapper) ? GeneratedWrapper.targetOf(wrapper) : null;
    }

    /** Whether {@code type} has a generated class that {@code Rebound.wrap} uses; why not, else. */
    public static String whyNot(Class<?> type) {
        return FOUND.get(type).whyNot;
    }

    /** The policy {@code wrapper} applies to {@code method}, or null. */
    static ResilientMethod policyOf(GeneratedWrapper wrapper, Method method) {
        Class<?> type = wrapper.getClass().getInterfaces()[0];
        Found found = FOUND.get(type);
        if (found.order != null) {
            for (int i = 0; i < found.order.length; i++) {
                if (found.order[i].equals(method)) {
                    return GeneratedWrapper.policyAt(wrapper, i);
                }
            }
        }
        return null;
    }

    static String generatedName(Class<?> type) {
        return type.getName() + GeneratedWrapper.SUFFIX;
    }

    private static Found find(Class<?> type) {
        String name = generatedName(type);
        Found found;
        try {
            found = check(type, Class.forName(name, false, type.getClassLoader()));
        } catch (ClassNotFoundException e) {
            found = new Found(null, null, "no class " + name + " (the weaver's annotation processor did not run"
                    + " on " + type.getSimpleName() + ", it carries no policy nor @GenerateWrapper, or it has a"
                    + " shape the processor leaves to the proxy: private, local, a type-use annotation or a type"
                    + " it cannot name in a signature, a member named like a name the class uses)");
        } catch (LinkageError | RuntimeException e) {
            found = new Found(null, null, name + " cannot be loaded (" + e + ")");
        }
        if (found.constructor != null) {
            LOG.debug("Rebound.wrap({}): uses the generated class {}", type.getSimpleName(), name);
        } else {
            LOG.debug("Rebound.wrap({}): {}; uses a JDK proxy (the same policy, slower)", type.getSimpleName(),
                    found.whyNot);
        }
        return found;
    }

    private static Found check(Class<?> type, Class<?> generated) {
        String name = generated.getName();
        if (!GeneratedWrapper.class.isAssignableFrom(generated) || !type.isAssignableFrom(generated)
                || generated.getInterfaces().length != 1) {
            return new Found(null, null, name + " is not a GeneratedWrapper implementing " + type.getName());
        }
        String[] listed;
        Constructor<?> constructor;
        try {
            Field f = generated.getDeclaredField(GeneratedWrapper.METHODS_FIELD);
            f.setAccessible(true);
            listed = ((String[]) f.get(null)).clone();
            constructor = generated.getDeclaredConstructor(type, String.class, ResilientMethod[].class);
            constructor.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return new Found(null, null, name + " cannot be used (" + e + ")");
        }
        Map<String, Method> methods = new HashMap<>();
        for (Method m : type.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() != Object.class
                    && !MethodScan.isObjectMethod(m)) {
                methods.put(entry(m), m);
            }
        }
        List<Method> order = new ArrayList<>();
        for (String key : listed) {
            Method m = methods.remove(key);
            if (m == null) {
                return new Found(null, null, name + " lists " + key + ", which " + type.getSimpleName()
                        + " does not have: it was generated from another version of " + type.getSimpleName());
            }
            order.add(m);
        }
        if (!methods.isEmpty()) {
            return new Found(null, null, name + " does not implement " + methods.keySet().stream().sorted().toList()
                    + ": it was generated from another version of " + type.getSimpleName());
        }
        return new Found(constructor, order.toArray(new Method[0]), null);
    }

    /**
     * {@code chat(Ljava/lang/String;)Ljava/lang/String;^Ljava/io/IOException;}: how a generated class lists
     * {@code m}, by name, JVM descriptor and the checked exceptions it declares (a {@code ^} before each, as
     * in a JVM signature). A class generated before the method's {@code throws} clause changed lists it
     * otherwise and is not used: it would wrap a newly declared exception in an
     * {@code UndeclaredThrowableException}.
     */
    static String entry(Method m) {
        StringBuilder sb = new StringBuilder(m.getName()).append(descriptor(m));
        for (Class<?> c : m.getExceptionTypes()) {
            sb.append('^').append(descriptor(c));
        }
        return sb.toString();
    }

    /** {@code (Ljava/lang/String;)Ljava/lang/String;}: a method's JVM descriptor. */
    static String descriptor(Method m) {
        StringBuilder sb = new StringBuilder("(");
        Arrays.stream(m.getParameterTypes()).forEach(p -> sb.append(descriptor(p)));
        return sb.append(')').append(descriptor(m.getReturnType())).toString();
    }

    private static String descriptor(Class<?> c) {
        if (c.isArray()) {
            return c.getName().replace('.', '/');
        }
        if (!c.isPrimitive()) {
            return "L" + c.getName().replace('.', '/') + ";";
        }
        return switch (c.getName()) {
            case "void" -> "V";
            case "boolean" -> "Z";
            case "byte" -> "B";
            case "char" -> "C";
            case "short" -> "S";
            case "int" -> "I";
            case "long" -> "J";
            case "float" -> "F";
            case "double" -> "D";
            default -> throw new IllegalArgumentException(c.getName());
        };
    }
}
