package dev.rebound.runtime.internal;

import dev.rebound.runtime.spi.GeneratedSubclasses;
import dev.rebound.runtime.spi.GeneratedWrapper;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The JDK proxy behind {@code Rebound.wrap}: one lookup per call, then the engine or the target. */
public final class ResilientProxy implements InvocationHandler {

    /** Invokes the call's method on the target; context is the {@link Call}. Shared, non-capturing. */
    private static final Invoker CALL = (context, args) -> ((Call) context).invoke(args);

    private final Object target;
    private final String name;
    private final Map<Method, Call> calls;
    /**
     * The calls by the very Method instances the proxy class passes (the same on every call), found
     * by identity: Map lookup goes through Method.equals, which compares parameter types on every
     * call. Copy-on-write; filled on each method's first call.
     */
    private volatile Seen[] seen = new Seen[0];
    /** Whether the engine's own call on this proxy as an alternative ({@link Passthrough}) skips the policy. */
    private final boolean flat;
    /** Whether at least one method has a policy ({@link #appliesPolicy}). */
    private final boolean anyPolicy;

    private ResilientProxy(Class<?> type, Object target, String name, Map<Method, ResilientMethod> policies,
            boolean flat) {
        this.target = target;
        this.name = name;
        this.flat = flat;
        this.calls = new HashMap<>();
        for (Method m : type.getMethods()) {
            if (m.getDeclaringClass() != Object.class && !java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                calls.put(m, new Call(target, m, policies.get(m)));
            }
        }
        this.anyPolicy = calls.values().stream().anyMatch(c -> c.policy != null);
    }

    /** A proxy of {@code type} that applies {@code policies} and passes every other method to the target. */
    public static <T> T create(Class<T> type, Object target, String name, Map<Method, ResilientMethod> policies) {
        return create(type, target, name, policies, false);
    }

    /**
     * As {@link #create(Class, Object, String, Map)}; when {@code flat}, a call that the engine makes on
     * the proxy as an alternative ({@link Passthrough}) goes straight to the target, as the doors that
     * resolve alternatives from annotations need. {@code Rebound.wrap} proxies are not flat: a wrapped
     * fallback keeps its own retry.
     */
    public static <T> T create(Class<T> type, Object target, String name, Map<Method, ResilientMethod> policies,
            boolean flat) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                new ResilientProxy(type, target, name, policies, flat));
        return type.cast(proxy);
    }

    /**
     * Whether {@code object} is a proxy made here or a {@code Rebound.wrap} wrapper of a generated class,
     * whether or not it applies a policy ({@link #appliesPolicy} tells).
     */
    public static boolean isWrapper(Object object) {
        return object instanceof GeneratedWrapper || Proxy.isProxyClass(object.getClass())
                && Proxy.getInvocationHandler(object) instanceof ResilientProxy;
    }

    /**
     * Whether {@code object} is a wrapper ({@link #isWrapper}) that applies a policy to at least one of its
     * methods: one built over an interface and a class that carry none (behind a JDK proxy that hides its
     * class) applies none. Read from a flag each wrapper sets when it is made.
     */
    public static boolean appliesPolicy(Object object) {
        if (object instanceof GeneratedWrapper) {
            return GeneratedWrapper.appliesAnyPolicy((GeneratedWrapper) object);
        }
        return Proxy.isProxyClass(object.getClass()) && Proxy.getInvocationHandler(object) instanceof ResilientProxy
                && ((ResilientProxy) Proxy.getInvocationHandler(object)).anyPolicy;
    }

    /**
     * How events name {@code o}: a wrapper's name, else the simple class name; a JDK proxy's class
     * ({@code $Proxy28}, numbered anew in each run: every AiServices assistant is one) by the first
     * interface it implements.
     */
    public static String nameOf(Object o) {
        return nameOf(o, null);
    }

    /**
     * As {@link #nameOf(Object)}, a JDK proxy named by its first interface that is {@code wrapped} or extends
     * it ({@code wrapped}: the interface a door wraps it as; null for none), else its first interface:
     * {@code Assistant}, the same in every run, and a fallback built on {@code BackupAssistant extends
     * Assistant} told apart from the primary.
     */
    public static String nameOf(Object o, Class<?> wrapped) {
        if (o instanceof GeneratedWrapper) {
            return GeneratedWrapper.nameOf((GeneratedWrapper) o);
        }
        Class<?> c = o.getClass();
        if (Proxy.isProxyClass(c)) {
            if (Proxy.getInvocationHandler(o) instanceof ResilientProxy) {
                return ((ResilientProxy) Proxy.getInvocationHandler(o)).name;
            }
        } else if (GeneratedSubclasses.isGenerated(c)) {
            // a subclass a container generated (PlainGpt35$$EnhancerByGuice$$3d7e15, Quotes$$SpringCGLIB$$0, a mock):
            // its suffix changes from run to run, so it is named by the user's class, the class behind it when it
            // says which (Spring's), or the interface it stands for, as every door names it
            c = ContainerProxies.userClassOf(o);
        }
        // a JDK proxy by its interface, a lambda's class by where it was written (Main$$Lambda), an anonymous class
        // as Outer$1: the rule of every door (the woven advice and ReboundModule name classes through it too)
        return AnnotationLookup.targetName(c, wrapped);
    }

    /** The policy this proxy (or generated wrapper) applies to {@code method}, or null; for tests and diagnostics. */
    public static ResilientMethod policyOf(Object proxy, Method method) {
        if (proxy instanceof GeneratedWrapper) {
            return GeneratedWrappers.policyOf((GeneratedWrapper) proxy, method);
        }
        if (!Proxy.isProxyClass(proxy.getClass())) {
            return null;
        }
        InvocationHandler h = Proxy.getInvocationHandler(proxy);
        if (!(h instanceof ResilientProxy)) {
            return null;
        }
        Call c = ((ResilientProxy) h).calls.get(method);
        return c == null ? null : c.policy;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Call call = callFor(method);
        if (call != null) {
            return call.policy != null && !(flat && Passthrough.claim(proxy, method))
                    ? call.policy.execute(call, args, CALL) : call.invoke(args);
        }
        if (method.getDeclaringClass() == Object.class) {
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "Rebound(" + name + ")";
                default:
                    break;
            }
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Call callFor(Method method) {
        Seen[] s = seen;
        for (int i = 0; i < s.length; i++) {
            if (s[i].method == method) {
                return s[i].call;
            }
        }
        Call call = calls.get(method);
        if (call != null) {
            remember(method, call);
        }
        return call;
    }

    private synchronized void remember(Method method, Call call) {
        Seen[] s = seen;
        for (Seen e : s) {
            if (e.method == method) {
                return;
            }
        }
        Seen[] grown = Arrays.copyOf(s, s.length + 1);
        grown[s.length] = new Seen(method, call);
        seen = grown;
    }

    /** A Method instance the proxy passed, and its call. */
    private static final class Seen {
        final Method method;
        final Call call;

        Seen(Method method, Call call) {
            this.method = method;
            this.call = call;
        }
    }

    /** One method of the target with its policy: the context passed through the engine. */
    private static final class Call {
        final Object target;
        final MethodCaller method;
        final ResilientMethod policy;
        /**
         * The method whose advice each call of the target is marked for ({@link Passthrough#enterMethod}),
         * or null: the target's class was never woven and the method is a woven default method, whose
         * advice would otherwise apply the policy a second time inside this one
         * ({@link WovenDefaults#marksCalls}).
         */
        final Method marked;
        /**
         * Whether calls are {@link #marked} and the target is a container's proxy that says what it hands them to
         * (Spring's): what is behind it is then read at each call ({@link ContainerProxies#behindOf}), since its
         * fixed target may be swapped meanwhile ({@code Advised.setTargetSource}). Only the target or the instance
         * behind it takes the mark ({@link Passthrough#enterMethod}).
         */
        final boolean proxied;

        Call(Object target, Method method, ResilientMethod policy) {
            this.target = target;
            this.method = new MethodCaller(method);
            this.policy = policy;
            this.marked = policy != null && WovenDefaults.marksCalls(target, method) ? method : null;
            this.proxied = marked != null && ContainerProxies.behindOf(target) != null;
        }

        Object invoke(Object[] args) throws Throwable {
            if (marked == null) {
                return method.call(target, args);
            }
            Object outer = Passthrough.enterMethod(target, proxied ? ContainerProxies.behindOf(target) : null, marked);
            try {
                return method.call(target, args);
            } finally {
                Passthrough.exit(outer);
            }
        }
    }
}
