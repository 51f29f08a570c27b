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
}
