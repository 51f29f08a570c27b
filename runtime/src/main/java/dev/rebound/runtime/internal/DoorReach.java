package dev.rebound.runtime.internal;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.GeneratedSubclasses;
import dev.rebound.runtime.spi.GeneratedWrapper;
import dev.rebound.runtime.spi.Resilient;
import dev.rebound.runtime.spi.ResilientEnum;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.Set;

/**
 * Two questions about an object that differ for one shape only, a {@code Rebound.wrap} wrapper that applies
 * no policy (its interface and the class behind it carry none): whether the object applies a policy to
 * at least one of its methods ({@code Rebound.isResilient}), and whether a door made it or reached its class
 * at all, which is what decides, for instance, that {@code Rebound.wrap} returns it as it is. A woven class,
 * a woven enum and an instance Guice's door intercepts are marked only when they carry a policy, so both
 * questions answer alike for them. A container's proxy that says what it delegates to (Spring's, JDK or
 * CGLIB) answers as the object behind it does: its calls reach that object's woven or intercepted code,
 * or its wrapper, whichever interfaces the proxy was built with (a Spring JDK proxy of {@code Relay} alone
 * does not implement the woven class's marker, and its class is one {@code $ProxyN} for every target).
 */
public final class DoorReach {

    private DoorReach() {
    }

    /**
     * Whether {@code object} applies at least one policy: a wrapper (JDK proxy or generated class) with a
     * policy on at least one method, an instance of a woven class or a constant of a woven enum (marked only
     * when the class carries a policy), or an instance Guice's {@code ReboundModule} intercepts (made by its
     * injector: another injector may make instances of the same generated subclass without it); a container's
     * proxy over any of these ({@link #behindProxy}). False for null.
     */
    public static boolean appliesPolicy(Object object) {
        return object != null && (ResilientProxy.appliesPolicy(object) || carriesPolicy(object)
                || behindProxy(object, true));
    }

    /**
     * Whether a door made {@code object} (a wrapper, with policies or without) or applies the policies its
     * class carries (woven, intercepted); or is a container's proxy over such an object ({@link #behindProxy}):
     * the one rule by which {@code Rebound.wrap} and Guice's {@code ReboundModule.wrapping} leave an object as
     * it is rather than apply the same annotations a second time. False for null.
     */
    public static boolean madeByDoor(Object object) {
        return object != null && (ResilientProxy.isWrapper(object) || carriesPolicy(object)
                || behindProxy(object, false));
    }

    /**
     * Whether {@code object} applies the policies its class carries: its class is woven, or it is an instance
     * a container door intercepts, asked of the instance ({@link ContainerInterception#carries}): another
     * container may share its generated class without the door's interceptor.
     */
    private static boolean carriesPolicy(Object object) {
        return woven(object.getClass()) || ContainerInterception.carries(object);
    }

    /**
     * Whether a door may stand between a caller and the code that an instance of exactly {@code type} runs for
     * {@code method}, so that an engine's call of it must be marked for that door to let through ({@code
     * Passthrough}): a woven class or enum; a class a generator made at run time (a container's subclass, a JDK
     * proxy, a {@code Rebound.wrap} class), or one synthetic or hidden, whose methods may hand the call to a door;
     * a class whose method is not public (not told apart here); or a class with a woven body for the method
     * anywhere above it (an interface's default method, a superclass's method, that ajc wove: its advice runs on
     * any instance that runs it, an override's {@code super} call included). False for a class javac alone
     * compiled with no woven body for the method in its hierarchy: no door sees a call of it, and nothing would
     * take a mark. Asked once per class.
     */
    public static boolean mayStandBefore(Class<?> type, Method method) {
        if (woven(type) || Proxy.isProxyClass(type) || GeneratedWrapper.class.isAssignableFrom(type)
                || GeneratedSubclasses.isGenerated(type) || type.isSynthetic() || type.isHidden()) {
            return true;
        }
        try {
            type.getMethod(method.getName(), method.getParameterTypes());
        } catch (NoSuchMethodException | SecurityException notPublic) {
            return true;
        }
        return wovenAbove(type, method.getName(), method.getParameterTypes(), new HashSet<>());
    }

    /** Whether {@code type} or a class or interface above it declares a woven body of the method. */
    private static boolean wovenAbove(Class<?> type, String name, Class<?>[] params, Set<Class<?>> seen) {
        if (type == null || type == Object.class || !seen.add(type)) {
            return false;
        }
        try {
            if (WovenDefaults.wovenBody(type.getDeclaredMethod(name, params), null)) {
                return true;
            }
        } catch (NoSuchMethodException notHere) {
            // declared above, if anywhere
        }
        for (Class<?> itf : type.getInterfaces()) {
            if (wovenAbove(itf, name, params, seen)) {
                return true;
            }
        }
        return wovenAbove(type.getSuperclass(), name, params, seen);
    }

    /** Whether every instance of {@code type} applies the policies its class carries: a woven class or enum. */
    private static boolean woven(Class<?> type) {
        return Resilient.class.isAssignableFrom(type)
                || Enum.class.isAssignableFrom(type) && type.isAnnotationPresent(ResilientEnum.class);
    }

    /**
     * Whether {@code object} is a container's proxy that says the class behind it ({@link
     * ContainerProxies#targetClassOf}) and that class's instances apply their policies (woven), or its fixed
     * target is an instance a container door intercepts, asked of that instance as {@link #carriesPolicy} asks
     * ({@link ContainerInterception#carries}: its chain, when no instance of its class is marked yet, as for one that
     * escaped its constructor), or, without a fixed target (a target made per call), some instance of that class
     * carries the door's interceptor (there is no instance to ask), or, when that class is a wrapper's, the
     * proxy's fixed target is a wrapper ({@code applying}: one that applies a policy). A lookup per class for an
     * object that is no such proxy; asked when a door wraps or provides an object, never per call.
     */
    private static boolean behindProxy(Object object, boolean applying) {
        Class<?> behind = ContainerProxies.targetClassOf(object);
        if (behind == null) {
            return false;
        }
        if (woven(behind)) {
            return true;
        }
        Object target = ContainerProxies.staticTargetOf(object);
        if (target == null) {
            return ContainerInterception.intercepts(behind);
        }
        if (ContainerInterception.carries(target)) {
            return true;
        }
        // a wrapper's class says nothing of its policies: the wrapper is asked
        return (GeneratedWrapper.class.isAssignableFrom(behind) || Proxy.isProxyClass(behind))
                && (applying ? ResilientProxy.appliesPolicy(target) : ResilientProxy.isWrapper(target));
    }
}
