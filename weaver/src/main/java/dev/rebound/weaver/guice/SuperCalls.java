package dev.rebound.weaver.guice;

import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Policies;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.function.BiFunction;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * Guice's own call of an intercepted method's superclass method, read from the invocation it hands ReboundModule's
 * interceptor, for the interceptor to run an attempt with when it is the last of the method's chain: the call
 * Guice's {@code proceed()} makes there, without the {@code pruneStacktrace} that {@code proceed()} runs on every
 * failure crossing it (a stack trace copied out and back, a list, three locks per failed attempt). The failure the
 * caller gets still crosses Guice's outer levels, which rewrite its stack trace as before.
 *
 * <p>Guice 7's private fields ({@value #INVOCATION}'s callback and index, the callback's {@value #INTERCEPTORS} and
 * {@value #SUPER_INVOKER}) are read through method handles resolved once, in the style of {@code
 * ContainerInterception}'s reading of Guice's handlers. When they cannot be read (another version of Guice), every
 * attempt proceeds through Guice's invocation, as before: said once at DEBUG, since only speed differs.
 */
final class SuperCalls {

    static final String CALLBACK = "com.google.inject.internal.InterceptorStackCallback";
    static final String INVOCATION = CALLBACK + "$InterceptedMethodInvocation";
    static final String INDEX = "interceptorIndex";
    static final String INTERCEPTORS = "interceptors";
    static final String SUPER_INVOKER = "superInvoker";

    /**
     * How one interceptor's attempts reach its method on the instances of one class Guice generated (the key, {@link
     * #keyOf}): Guice's call of the superclass method when that interceptor is the last of the method's chain, else
     * null (proceed). Immutable: published by a plain write, read racily.
     *
     * <p>Keyed by the generated class, not by Guice's callback: the call of the superclass method is the generated
     * class's (its trampoline), and whether an interceptor is the last is the same in every callback that holds it
     * (Guice gives a class one list of interceptors per injector, and each injector's ReboundModule its own
     * interceptors). Both are read through Guice's own accessors, which the JIT folds into the invocation it
     * drops; a read of the callback, a private field, would keep that invocation allocated on every call.
     */
    record Route(Class<?> type, SuperCall superCall) {

        /** Before any call: no instance is of this class. */
        static final Route UNKNOWN = new Route(void.class, null);
    }

    /**
     * Guice's call of the superclass method of one intercepted method, as the engine's invoker: the context is the
     * instance Guice generated, the arguments the call's own array (the one Guice's invocation holds, or one the
     * engine made for an attempt of its own, a stream's handler in place of the caller's). Shared by every call and
     * thread: Guice's call is its generated class's, and keeps nothing. So the engine, and the interceptor's own
     * attempts, never hold Guice's invocation, which the JIT may then drop on a failed call too.
     */
    static final class SuperCall implements Invoker {

        private final BiFunction<Object, Object[], Object> call;

        SuperCall(BiFunction<Object, Object[], Object> call) {
            this.call = call;
        }

        @Override
        public Object invoke(Object self, Object[] args) {
            return call.apply(self, args);
        }
    }

    /** Guice's invocation class, or null when its fields cannot be read: then no invocation is read. */
    private static final Class<?> TYPE;
    /** {@code (Object) -> Object}: the invocation's callback. */
    private static final MethodHandle CALLBACK_OF;
    /** {@code (Object) -> int}: the index of the interceptor the invocation proceeds to. */
    private static final MethodHandle INDEX_OF;
    /** {@code (Object) -> Object}: the callback's interceptors, a {@code MethodInterceptor[]}. */
    private static final MethodHandle INTERCEPTORS_OF;
    /** {@code (Object) -> Object}: the callback's call of the superclass method, a {@code BiFunction}. */
    private static final MethodHandle SUPER_INVOKER_OF;

    static {
        Class<?> type = null;
        MethodHandle callback = null;
        MethodHandle index = null;
        MethodHandle interceptors = null;
        MethodHandle superInvoker = null;
        try {
            ClassLoader guice = com.google.inject.Guice.class.getClassLoader();
            Class<?> invocation = Class.forName(INVOCATION, false, guice);
            Field outer = outerField(invocation);
            Class<?> stack = outer.getType();
            MethodHandles.Lookup inInvocation = MethodHandles.privateLookupIn(invocation, MethodHandles.lookup());
            MethodHandles.Lookup inStack = MethodHandles.privateLookupIn(stack, MethodHandles.lookup());
            MethodType read = MethodType.methodType(Object.class, Object.class);
            callback = inInvocation.unreflectGetter(outer).asType(read);
            index = inInvocation.findGetter(invocation, INDEX, int.class)
                    .asType(MethodType.methodType(int.class, Object.class));
            interceptors = inStack.findGetter(stack, INTERCEPTORS, MethodInterceptor[].class).asType(read);
            superInvoker = inStack.findGetter(stack, SUPER_INVOKER, BiFunction.class).asType(read);
            type = invocation;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError unreadable) {
            // NoSuchFieldException, InaccessibleObjectException, IllegalAccessException, ...: another version of Guice
            Policies.debug("ReboundModule: cannot read Guice's " + INVOCATION + " ("
                    + unreadable.getClass().getSimpleName() + "; another version of Guice?): each attempt proceeds"
                    + " through it, which rewrites the stack trace of each failure (the same outcome, slower)");
        }
        TYPE = type;
        CALLBACK_OF = callback;
        INDEX_OF = index;
        INTERCEPTORS_OF = interceptors;
        SUPER_INVOKER_OF = superInvoker;
    }

    private SuperCalls() {
    }

    /** The one instance field of {@code invocation} that refers to its callback ({@code this$0} to javac). */
    private static Field outerField(Class<?> invocation) throws NoSuchFieldException {
        Field found = null;
        for (Field f : invocation.getDeclaredFields()) {
            if (f.getType().getName().equals(CALLBACK) && !Modifier.isStatic(f.getModifiers())) {
                if (found != null) {
                    throw new NoSuchFieldException("two fields of type " + CALLBACK);
                }
                found = f;
            }
        }
        if (found == null) {
            throw new NoSuchFieldException("no field of type " + CALLBACK);
        }
        return found;
    }

    /**
     * The key of {@code invocation}'s {@link Route}: the class of its instance, one Guice generated; null for an
     * invocation of another class (or when none can be read), whose route is to proceed.
     */
    static Class<?> keyOf(MethodInvocation invocation) {
        return invocation.getClass() == TYPE ? invocation.getThis().getClass() : null;
    }

    /**
     * The route of {@code invocation}, which {@code interceptor} was handed: Guice's call of the superclass method
     * when {@code interceptor} is the last of its chain; else (an interceptor bound after it must run on every
     * attempt) to proceed, said at DEBUG.
     */
    static Route routeOf(MethodInvocation invocation, MethodInterceptor interceptor) throws Throwable {
        Class<?> key = keyOf(invocation);
        if (key == null) {
            return new Route(null, null);
        }
        Object callback = (Object) CALLBACK_OF.invokeExact((Object) invocation);
        MethodInterceptor[] chain = (MethodInterceptor[]) (Object) INTERCEPTORS_OF.invokeExact(callback);
        int index = (int) INDEX_OF.invokeExact((Object) invocation);
        if (index == chain.length && chain[index - 1] == interceptor) {
            return new Route(key, new SuperCall(superCallOf(callback)));
        }
        java.lang.reflect.Method m = invocation.getMethod();
        Policies.debug("ReboundModule: " + Policies.describe(m.getDeclaringClass(), m) + " has interceptors after"
                + " Rebound's, which run on every attempt: each attempt proceeds through Guice's invocation");
        return new Route(key, null);
    }

    @SuppressWarnings("unchecked")
    private static BiFunction<Object, Object[], Object> superCallOf(Object callback) throws Throwable {
        return (BiFunction<Object, Object[], Object>) (Object) SUPER_INVOKER_OF.invokeExact(callback);
    }
}
