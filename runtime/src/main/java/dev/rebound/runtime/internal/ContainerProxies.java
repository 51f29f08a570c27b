package dev.rebound.runtime.internal;

import dev.rebound.runtime.rules.MethodRules;
import dev.rebound.runtime.spi.GeneratedSubclasses;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Optional;

/**
 * The user's class behind a container's proxy: the class whose methods, and so whose annotations and
 * woven code, a call on the proxy reaches in the end. Spring says it on each of its proxies, JDK and
 * CGLIB alike, through {@code org.springframework.aop.TargetClassAware}, read here by name so that
 * Spring stays an optional dependency nobody declares; a subclass a container generates at run time
 * ({@code Impl$$SpringCGLIB$$0}, {@code Impl$$EnhancerByGuice$$1a2b}) has the user's class above it.
 */
public final class ContainerProxies {

    private static final String TARGET_CLASS_AWARE = "org.springframework.aop.TargetClassAware";

    /**
     * {@code TargetClassAware.getTargetClass()} per class, empty for a class that does not implement it: looked
     * up once per class, so a door may ask per instance ({@link #implClassOf}) without walking its interfaces.
     */
    private static final ClassValue<Optional<Method>> TARGET_CLASS_METHOD = new ClassValue<>() {
        @Override
        protected Optional<Method> computeValue(Class<?> type) {
            return Optional.ofNullable(findTargetClassMethod(type));
        }
    };

    private static final String CLIENT_PROXY = "io.quarkus.arc.ClientProxy";

    /** What is known of a class's client proxies ({@link #isClientProxy}); one per class, in the class itself. */
    private static final ClassValue<ClientProxyClass> CLIENT_PROXIES = new ClassValue<>() {
        @Override
        protected ClientProxyClass computeValue(Class<?> type) {
            return new ClientProxyClass(findContextualInstance(type));
        }
    };

    /**
     * A class's {@code ClientProxy.arc_contextualInstance()} as {@code (Object) Object}, null for a class that
     * does not implement it; and, once a call reached the instance its proxies hand their calls to, whether a door
     * made or reached that instance's class ({@link DoorReach#madeByDoor}): 1, or -1 for no; 0 while unknown; and
     * that instance's class.
     */
    private static final class ClientProxyClass {
        final MethodHandle contextualInstance;
        volatile int callsADoor;
        /** The class of the instance the proxies hand their calls to: written before {@link #callsADoor}. */
        Class<?> behind;

        ClientProxyClass(MethodHandle contextualInstance) {
            this.contextualInstance = contextualInstance;
        }
    }

    private ContainerProxies() {
    }

    /**
     * Whether {@code type} is a container's client proxy that hands each call to an instance it says: Quarkus
     * ArC's, which implement {@code io.quarkus.arc.ClientProxy} (read by name, as Spring's interfaces are), whether
     * it extends the bean's class or, for a bean whose type is an interface (a producer's), {@code Object}. Looked
     * up once per class.
     */
    public static boolean isClientProxy(Class<?> type) {
        return CLIENT_PROXIES.get(type).contextualInstance != null;
    }

    /**
     * Whether {@code proxy}, a {@linkplain #isClientProxy client proxy}, hands its calls to an instance that a door
     * made or reached ({@link DoorReach#madeByDoor}: a woven bean, a {@code Rebound.wrap} wrapper): decided once per
     * proxy class, by the first call that reaches the instance ({@code arc_contextualInstance()}, which makes the
     * bean if it is not made yet, as the proxy's own call would), since a bean's instances are of one class; false
     * for a class that is no client proxy, and for a call that cannot reach it (the bean's context not active: the
     * proxy's own call fails alike), which decides nothing. Afterwards a class-keyed lookup and a read; allocates
     * nothing.
     */
    private static boolean callsADoor(Object proxy) {
        ClientProxyClass c = CLIENT_PROXIES.get(proxy.getClass());
        int known = c.callsADoor;
        if (known != 0 || c.contextualInstance == null) {
            return known > 0;
        }
        Object instance;
        try {
            instance = (Object) c.contextualInstance.invokeExact(proxy);
        } catch (Throwable cannotSay) {
            return false;
        }
        if (instance == null || instance == proxy) {
            return false;
        }
        boolean door = DoorReach.madeByDoor(instance);
        c.behind = instance.getClass();
        c.callsADoor = door ? 1 : -1;
        return door;
    }

    /**
     * Whether {@code proxy}, a {@linkplain #isClientProxy client proxy}, hands its calls of {@code method} to an
     * instance that applies that method's policy itself: one a door made or reached ({@link #callsADoor}), or one
     * whose class runs {@code method} as an interface's default method that ajc wove, whose advice applies the
     * policy on any instance ({@link WovenDefaults#runsWovenDefault}: a producer's lambda that keeps the default).
     * Null while no call could reach the instance (then nothing is decided). The instance is asked once per proxy
     * class; the method's part reads its class reflectively, so a door keeps the answer.
     */
    public static Boolean appliedBehind(Object proxy, Method method) {
        if (callsADoor(proxy)) {
            return Boolean.TRUE;
        }
        ClientProxyClass c = CLIENT_PROXIES.get(proxy.getClass());
        return c.callsADoor == 0 ? null : WovenDefaults.runsWovenDefault(c.behind, method);
    }

    /** {@code ClientProxy.arc_contextualInstance()} as {@code (Object) Object} when {@code type} implements it. */
    private static MethodHandle findContextualInstance(Class<?> type) {
        Class<?> clientProxy = publicInterface(type, CLIENT_PROXY);
        if (clientProxy == null) {
            return null;
        }
        try {
            return MethodHandles.publicLookup().findVirtual(clientProxy, "arc_contextualInstance",
                    MethodType.methodType(Object.class)).asType(MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException other) {
            return null; // another library's interface of that name, or one this module cannot read
        }
    }

    /**
     * The class behind {@code instance} when it is a proxy that says what it delegates to (Spring's, unless
     * made opaque), or null: not such a proxy, Rebound's own, or one whose target class is not known (a
     * target source without one). Asked of the instance: one JDK proxy class serves every target of its
     * interfaces.
     */
    public static Class<?> targetClassOf(Object instance) {
        Class<?> type = instance.getClass();
        if (ResilientProxy.isWrapper(instance)) {
            return null;
        }
        Optional<Method> getTargetClass = TARGET_CLASS_METHOD.get(type);
        if (getTargetClass.isEmpty()) {
            return null;
        }
        try {
            Object c = getTargetClass.get().invoke(instance);
            return c instanceof Class<?> && c != type ? (Class<?>) c : null;
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException unreadable) {
            return null; // a proxy that cannot say: treated as one that does not
        }
    }

    /**
     * The class whose annotations apply to calls on {@code instance} when a door wraps it: the class behind a
     * proxy that says it ({@link #targetClassOf}), else the instance's own. The one rule of {@code Rebound.wrap}
     * and of Guice's {@code ReboundModule}; asked per instance, since one JDK proxy class serves every target of
     * its interfaces. Costs a class-keyed lookup for an instance that is not a proxy; allocates nothing.
     */
    public static Class<?> implClassOf(Object instance) {
        Class<?> behind = targetClassOf(instance);
        return behind != null ? behind : instance.getClass();
    }

    /**
     * The user's class whose annotations apply to calls on {@code instance}: the class behind a proxy that
     * says it ({@link #targetClassOf}), else, for a subclass a container generated
     * ({@link GeneratedSubclasses#isGenerated}), the first class above it that is not one, else the instance's own class (a JDK proxy that does not say
     * what it delegates to included: see {@link #isOpaqueProxy}).
     */
    public static Class<?> userClassOf(Object instance) {
        Class<?> behind = targetClassOf(instance);
        if (behind != null) {
            return behind;
        }
        return GeneratedSubclasses.userClass(instance.getClass());
    }

    /**
     * Whether {@code instance} is a JDK proxy, not Rebound's own, that does not say what class is behind
     * it: the annotations on that class cannot be seen, only its interfaces'.
     */
    public static boolean isOpaqueProxy(Object instance) {
        return Proxy.isProxyClass(instance.getClass()) && !ResilientProxy.isWrapper(instance)
                && targetClassOf(instance) == null;
    }

    /**
     * What a wrapper of {@code type} that applies no policy says when {@code target} is a JDK proxy that
     * hides the class behind it ({@link #isOpaqueProxy}): that class's annotations cannot be seen, so the
     * wrapper applies none ({@link MethodRules#classBehindProxyUnseen}); null for any other target. Asked by
     * every door that wraps an instance, after its own name.
     */
    public static String classBehindUnseen(Class<?> type, Object target) {
        return isOpaqueProxy(target)
                ? MethodRules.classBehindProxyUnseen(type.getSimpleName(), target.getClass().getName()) : null;
    }

    private static final String ADVISED = "org.springframework.aop.framework.Advised";
    private static final String TARGET_SOURCE = "org.springframework.aop.TargetSource";

    /**
     * The interface named {@code name} that {@code type} implements, or null: its methods are read through
     * it, since the class may not be public (an anonymous target source).
     */
    private static Class<?> publicInterface(Class<?> type, String name) {
        for (Class<?> itf : AnnotationLookup.allInterfaces(type)) {
            if (itf.getName().equals(name)) {
                return itf;
            }
        }
        return null;
    }

    /**
     * The one instance behind {@code instance} when it is a Spring proxy over a fixed target (its
     * {@code Advised.getTargetSource()} is static: a singleton bean's proxy), read by name as
     * {@link #targetClassOf}; null otherwise (not such a proxy, Rebound's own, or a target source that
     * makes or picks its target per call: a prototype, a pool, a lazy or hot-swappable one, which is not
     * asked, since asking may make one).
     */
    public static Object staticTargetOf(Object instance) {
        if (ResilientProxy.isWrapper(instance)) {
            return null;
        }
        for (Class<?> itf : AnnotationLookup.allInterfaces(instance.getClass())) {
            if (!itf.getName().equals(ADVISED)) {
                continue;
            }
            try {
                Object source = itf.getMethod("getTargetSource").invoke(instance);
                Class<?> targetSource = source == null ? null : publicInterface(source.getClass(), TARGET_SOURCE);
                if (targetSource == null || !Boolean.TRUE.equals(targetSource.getMethod("isStatic").invoke(source))) {
                    return null;
                }
                Object target = targetSource.getMethod("getTarget").invoke(source);
                return target != instance ? target : null;
            } catch (ReflectiveOperationException | RuntimeException unreadable) {
                return null; // a proxy that cannot say: its class is matched instead
            }
        }
        return null;
    }

    /**
     * What {@code instance} hands its calls to when it is a container's proxy that says it: its fixed target ({@link
     * #staticTargetOf}), else the class behind it ({@link #targetClassOf}), else null (not such a proxy, or one that
     * says neither). Reads the proxy's configuration reflectively: asked once per door, and per call only of a proxy
     * that says it (a Spring proxy's fixed target may be swapped).
     */
    public static Object behindOf(Object instance) {
        Object fixed = staticTargetOf(instance);
        return fixed != null ? fixed : targetClassOf(instance);
    }

    /** {@code TargetClassAware.getTargetClass()} when {@code type} implements it, else null. */
    private static Method findTargetClassMethod(Class<?> type) {
        for (Class<?> itf : AnnotationLookup.allInterfaces(type)) {
            if (itf.getName().equals(TARGET_CLASS_AWARE)) {
                try {
                    return itf.getMethod("getTargetClass");
                } catch (NoSuchMethodException other) {
                    return null; // another library of that name
                }
            }
        }
        return null;
    }
}
