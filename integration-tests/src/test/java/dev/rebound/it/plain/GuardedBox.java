package dev.rebound.it.plain;

import dev.rebound.annotations.CircuitBreaker;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A generic class with a circuit breaker (javac only: Guice intercepts it), which a module binds under each type
 * argument it needs ({@code new TypeLiteral<GuardedBox<String>>() {}}): Guice hears each such type on its own. Every
 * call fails, counted in {@link #CALLS}.
 */
public class GuardedBox<T> {

    /** The calls that reached the method, of every instance. */
    public static final AtomicInteger CALLS = new AtomicInteger();

    @CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 0.5, delay = 60_000)
    public String open(String item) {
        throw new IllegalStateException("box down " + CALLS.incrementAndGet());
    }
}
