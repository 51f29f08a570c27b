package dev.rebound.runtime.internal;

import dev.rebound.runtime.spi.Invoker;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Calls one reflected method and lets its failure through as it is, as cheaply as the JVM allows:
 *
 * <ol>
 *   <li>methods with up to 3 parameters and a result: a class made once by
 *       {@link LambdaMetafactory} that calls the method directly; the JIT inlines it like any call,
 *       and a failure unwinds one frame;</li>
 *   <li>otherwise a method handle, spread over the argument array;</li>
 *   <li>where access is refused, reflection (unwrapping its InvocationTargetException).</li>
 * </ol>
 *
 * Not {@link Method#invoke} first: it wraps every failure in a new InvocationTargetException and
 * fills in its stack trace, which made each failed attempt cost microseconds and hundreds of bytes;
 * and a failure thrown through a method handle's frames costs a few hundred nanoseconds.
 */
final class MethodCaller {

    /** The shapes a generated caller implements, by parameter count. */
    public interface Call0 {
        Object call(Object target) throws Throwable;
    }

    public interface Call1 {
        Object call(Object target, Object a0) throws Throwable;
    }

    public interface Call2 {
        Object call(Object target, Object a0, Object a1) throws Throwable;
    }

    public interface Call3 {
        Object call(Object target, Object a0, Object a1, Object a2) throws Throwable;
    }

    private static final Class<?>[] SHAPES = {Call0.class, Call1.class, Call2.class, Call3.class};
    private static final Object[] NO_ARGS = {};

    private final Method method;
    /** A CallN for N = {@link #arity}, or null. */
    private final Object direct;
    private final int arity;
    /** {@code (Object target, Object[] args) Object}, or null where access is refused. */
    private final MethodHandle handle;

    MethodCaller(Method method) {
        this.method = method;
        try {
            method.setAccessible(true);
        } catch (RuntimeException notOpen) {
            // public members of exported packages need no access override
        }
        Module self = MethodCaller.class.getModule();
        if (self.isNamed()) {
            self.addReads(method.getDeclaringClass().getModule()); // on the module path, method handles need it
        }
        MethodHandle h;
        try {
            h = MethodHandles.lookup().unreflect(method).asFixedArity(); // a varargs array is one argument
        } catch (IllegalAccessException refused) {
            h = null;
        }
        this.arity = method.getParameterCount();
        this.direct = h == null ? null : direct(method, h);
        this.handle = h == null ? null
                : h.asType(MethodType.genericMethodType(arity + 1)).asSpreader(Object[].class, arity);
    }

    /** A generated CallN calling {@code method}, or null where the shape or access doesn't allow one. */
    private static Object direct(Method method, MethodHandle h) {
        int n = method.getParameterCount();
        if (n >= SHAPES.length || method.getReturnType() == void.class) {
            return null;
        }
        try {
            Class<?> shape = SHAPES[n];
            MethodHandles.Lookup caller = MethodHandles.privateLookupIn(method.getDeclaringClass(),
                    MethodHandles.lookup());
            MethodType instantiated = h.type().wrap();
            return LambdaMetafactory.metafactory(caller, "call", MethodType.methodType(shape),
                    MethodType.genericMethodType(n + 1), h, instantiated).getTarget().invoke();
        } catch (Throwable refused) {
            // another module or class loader that won't let a class be defined beside the method
            return null;
        }
    }

    /**
     * Calls the method on {@code target} with the call's arguments as a door holds them (null for none):
     * exactly them, or its target and then them, and maybe more of the door's after them
     * ({@link Invoker#argumentsInPlace}), read {@link #arity} from the front.
     */
    Object call(Object target, Object[] args) throws Throwable {
        Object d = direct;
        if (d != null) {
            int at = Invoker.firstArgument(args, arity);
            switch (arity) {
                case 0:
                    return ((Call0) d).call(target);
                case 1:
                    return ((Call1) d).call(target, args[at]);
                case 2:
                    return ((Call2) d).call(target, args[at], args[at + 1]);
                default:
                    return ((Call3) d).call(target, args[at], args[at + 1], args[at + 2]);
            }
        }
        Object[] exact = arity == 0 ? null : Invoker.exactly(args, arity);
        MethodHandle h = handle;
        if (h != null) {
            // a local of the exact type: a conditional as the argument would be typed Object
            Object[] spread = exact == null ? NO_ARGS : exact;
            return (Object) h.invokeExact(target, spread);
        }
        try {
            return method.invoke(target, exact);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
