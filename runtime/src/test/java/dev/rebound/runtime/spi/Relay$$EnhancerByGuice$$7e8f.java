package dev.rebound.runtime.spi;

import java.lang.reflect.InvocationHandler;

/**
 * Stands for a subclass Guice 7 generates: each instance keeps its interceptor chain in {@code GUICE$HANDLERS},
 * one array per binding, set by the constructor Guice calls; a copy ({@link #copy}) shares it.
 */
public class Relay$$EnhancerByGuice$$7e8f implements Cloneable {

    private final InvocationHandler[] GUICE$HANDLERS;

    public Relay$$EnhancerByGuice$$7e8f(InvocationHandler[] handlers) {
        this.GUICE$HANDLERS = handlers;
    }

    /** A copy of this instance, as {@code clone()} makes it: the same chain. */
    public Relay$$EnhancerByGuice$$7e8f copy() {
        try {
            return (Relay$$EnhancerByGuice$$7e8f) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }
}
