package dev.rebound.runtime.internal;

import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

/** The JDK proxy behind {@code Rebound.wrap}: one lookup per call, then the engine or the target. */
public final class ResilientProxy implements InvocationHandler {

    /** Invokes the call's method on the target; context is the {@link Call}. Shared, non-capturing. */
    private static final Invoker CALL = (context, args) -> ((Call) context).invoke(args);

    private final Object target;
    private final Map<Method, Call> calls;
    private final boolean flat;

    private ResilientProxy(Object target, Map<Method, ResilientMethod> policies, boolean flat) {
        this.target = target;
        this.calls = new HashMap<>();
        this.flat = flat;
        policies.forEach((m, rm) -> calls.put(m, new Call(target, m, rm)));
    }

    public static <T> T create(Class<T> type, Object target, Map<Method, ResilientMethod> policies) {
        return create(type, target, policies, false);
    }

    /**
     * As {@link #create(Class, Object, Map)}; when {@code flat}, a call that the engine makes on the
     * proxy as an alternative ({@link Passthrough}) goes straight to the target, as the doors that
     * resolve alternatives from annotations need. {@code Rebound.wrap} proxies are not flat: a wrapped
     * fallback keeps its own retry.
     */
    public static <T> T create(Class<T> type, Object target, Map<Method, ResilientMethod> policies,
            boolean flat) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                new ResilientProxy(target, policies, flat));
        return type.cast(proxy);
    }

    /** Whether {@code object} is a proxy made here. */
    public static boolean isResilient(Object object) {
        return Proxy.isProxyClass(object.getClass())
                && Proxy.getInvocationHandler(object) instanceof ResilientProxy;
    }

    /** The policy this proxy applies to {@code method}, or null; for tests and diagnostics. */
    public static ResilientMethod policyOf(Object proxy, Method method) {
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
        Call call = calls.get(method);
        if (call != null && !(flat && Passthrough.claim(proxy))) {
            return call.policy.execute(call, args, CALL);
        }
        if (method.getDeclaringClass() == Object.class) {
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "Rebound(" + target + ")";
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

    /** One method of the target with its policy: the context passed through the engine. */
    private static final class Call {
        final Object target;
        final Method method;
        final ResilientMethod policy;

        Call(Object target, Method method, ResilientMethod policy) {
            this.target = target;
            this.method = method;
            this.policy = policy;
            method.setAccessible(true);
        }

        Object invoke(Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
