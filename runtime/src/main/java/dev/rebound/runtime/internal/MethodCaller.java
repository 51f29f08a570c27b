package dev.rebound.runtime.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Calls one reflected method and lets its failure through as it is. Through a method handle, not
 * {@link Method#invoke}: reflection wraps every failure in a new InvocationTargetException and
 * fills in its stack trace, which made each failed attempt cost microseconds and hundreds of bytes.
 */
final class MethodCaller {

    private static final Object[] NO_ARGS = {};

    private final Method method;
    /** {@code (Object target, Object[] args) Object}, or null where access is refused: then reflection. */
    private final MethodHandle handle;

    MethodCaller(Method method) {
        this.method = method;
        MethodHandle h;
        try {
            method.setAccessible(true);
        } catch (RuntimeException notOpen) {
            // public members of exported packages need no access override
        }
        try {
            int n = method.getParameterCount();
            h = MethodHandles.lookup().unreflect(method).asFixedArity() // a varargs array is one argument
                    .asType(MethodType.genericMethodType(n + 1))
                    .asSpreader(Object[].class, n);
        } catch (IllegalAccessException refused) {
            h = null;
        }
        this.handle = h;
    }

    Object call(Object target, Object[] args) throws Throwable {
        MethodHandle h = handle;
        if (h != null) {
            // a local of the exact type: a conditional as the argument would be typed Object
            Object[] spread = args == null ? NO_ARGS : args;
            return (Object) h.invokeExact(target, spread);
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
