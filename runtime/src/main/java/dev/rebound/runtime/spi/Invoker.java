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
     * The call's arguments, for invoking alternatives. Called only when falling back, so a door
     * that can't hand out its arguments cheaply passes null as {@code args} and overrides this.
     */
    default Object[] arguments(Object context, Object[] args) {
        return args;
    }

    /**
     * The call's arguments without a copy, for invoking alternatives synchronously: an array whose
     * <em>last</em> elements are the call's arguments, as many as the method has parameters, with
     * anything before them (a door's own state). Read only, and only during the call; never written.
     * By default {@link #arguments}; a door whose arguments sit at the end of an array it holds anyway
     * (AspectJ's closure state, {@code [this, arguments...]}) returns that array and allocates nothing.
     */
    default Object[] argumentsInPlace(Object context, Object[] args) {
        return arguments(context, args);
    }
}
