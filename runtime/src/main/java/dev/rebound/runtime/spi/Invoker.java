package dev.rebound.runtime.spi;

/**
 * Runs one attempt of a call. The context is whatever the door needs (the target object, Guice's
 * MethodInvocation, AspectJ's closure), so a door can pass a shared, non-capturing invoker and
 * allocate nothing per call.
 */
@FunctionalInterface
public interface Invoker {

    /** One attempt; may be called again for a retry. */
    Object invoke(Object context, Object[] args) throws Throwable;

    /**
     * The call's arguments, exactly, where a door that passes null as {@code args} holds them as an array of
     * exactly them (Guice's {@code MethodInvocation.getArguments()}): what {@link #argumentsInPlace} answers
     * by default. By default {@code args}.
     */
    default Object[] arguments(Object context, Object[] args) {
        return args;
    }

    /**
     * The call's arguments where the door holds them, without a copy: what the engine reads when it falls
     * back (asked only then, so a door that can't hand out its arguments cheaply passes null as {@code args}
     * and overrides this). Either an array of exactly the arguments, or an array of the door's own that holds
     * one element before them, the target, and may hold more after them: AspectJ's closure state,
     * {@code [this, arguments...]}, to which ajc appends the call's {@code JoinPoint} when an advice on the
     * method reads it. The engine, which knows the method's parameter count, reads them from the front
     * ({@link #firstArgument}); read only, and only during the call; never written. By default
     * {@link #arguments}.
     */
    default Object[] argumentsInPlace(Object context, Object[] args) {
        return arguments(context, args);
    }

    /**
     * Where the call's arguments begin in {@code held}, what {@link #argumentsInPlace} returned for a method
     * of {@code parameterCount} parameters: 0 when it is exactly them (or null, for none), else 1, after the
     * door's target.
     */
    static int firstArgument(Object[] held, int parameterCount) {
        return held == null || held.length == parameterCount ? 0 : 1;
    }

    /**
     * Exactly the call's arguments, from {@code held}, what {@link #argumentsInPlace} returned for a method of
     * {@code parameterCount} parameters: {@code held} itself when it is exactly them, else a copy of them.
     */
    static Object[] exactly(Object[] held, int parameterCount) {
        int first = firstArgument(held, parameterCount);
        return first == 0 ? held : java.util.Arrays.copyOfRange(held, first, first + parameterCount);
    }
}
