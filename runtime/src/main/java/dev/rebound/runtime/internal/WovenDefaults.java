package dev.rebound.runtime.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * What ajc left in a class file, read from the loaded class: whether a method's body was woven, and
 * whether a wrapper's call of an object no door has reached meets a woven default method's advice, which
 * would apply the method's policy a second time inside a {@code Rebound.wrap} wrapper that applies it.
 */
public final class WovenDefaults {

    private WovenDefaults() {
    }

    /**
     * Whether a door that applies {@code method}'s policy to {@code target} must mark each call it makes
     * for {@code method} ({@link dev.rebound.runtime.spi.Passthrough#enterMethod}) so that the woven advice
     * of that method lets it through: {@code target}'s class was never woven (javac alone, a lambda's, a
     * hidden class) and {@code method} is an interface's default method that ajc wove. The class runs that
     * body, whose advice would apply the policy a second time inside the door's, or overrides it, most
     * often to call it with {@code Iface.super}, whose advice must then neither apply a policy nor say that
     * the class's own methods go without theirs: the door applies them; or {@code target} is a container's
     * proxy that says the instance (or the class of the instances) it hands the call to, whose advice takes the
     * mark all the same (any other instance keeps its policy: one a decorator calls, one the target consults).
     * The mark is that method's alone: an
     * override that never reaches the default leaves it untaken, and another woven default method the
     * target calls on itself meanwhile runs under its own policy, as called directly (nothing is said of
     * the class there either: a door is calling it).
     */
    public static boolean marksCalls(Object target, Method method) {
        return method.isDefault() && target != null && !DoorReach.madeByDoor(target) && wovenBody(method, null);
    }

    /**
     * Whether the instances of {@code type} run {@code method} (one of that name and parameter types) as an
     * interface's default method that ajc wove: no class at or above {@code type} overrides it. The default's advice
     * then applies its policy to each call, on any instance (a lambda's, whose own class is never woven, included).
     */
    public static boolean runsWovenDefault(Class<?> type, Method method) {
        Method run;
        try {
            run = type.getMethod(method.getName(), method.getParameterTypes());
        } catch (NoSuchMethodException | SecurityException notPublic) {
            return false;
        }
        return run.isDefault() && wovenBody(run, null);
    }

    /**
     * Whether ajc wove an around advice into the body of {@code m}, read from the loaded class (under
     * load-time weaving the class file on the class path is the unwoven one): ajc moves the body into a
     * static {@code name_aroundBodyN(Owner, params...)} of the same class and, when it inlines the
     * advice (its default), adds a static {@code name_aroundBodyN$advice(Owner, params..., Aspect, ...)},
     * which names the aspect. With {@code advice} (an aspect's binary name), an inlined advice must be that
     * aspect's; an advice that ajc did not inline ({@code -XnoInline}) leaves no trace of its aspect, and
     * the body alone counts. With {@code advice} null, the body alone counts.
     */
    public static boolean wovenBody(Method m, String advice) {
        Class<?> owner = m.getDeclaringClass();
        Class<?>[] params = m.getParameterTypes();
        boolean body = false;
        boolean inlined = false;
        for (Method woven : owner.getDeclaredMethods()) {
            Class<?>[] b = woven.getParameterTypes();
            if (!Modifier.isStatic(woven.getModifiers()) || !woven.getName().startsWith(m.getName() + "_aroundBody")
                    || b.length < params.length + 1 || b[0] != owner
                    || !Arrays.equals(b, 1, params.length + 1, params, 0, params.length)) {
                continue;
            }
            if (!woven.getName().endsWith("$advice")) {
                body = true;
            } else if (advice != null && Arrays.stream(b).anyMatch(p -> p.getName().equals(advice))) {
                return true;
            } else {
                inlined = true;
            }
        }
        return body && (advice == null || !inlined);
    }
}
