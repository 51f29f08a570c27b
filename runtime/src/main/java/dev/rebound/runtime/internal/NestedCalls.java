package dev.rebound.runtime.internal;

import dev.rebound.runtime.spi.PerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Marks the call an enclosing call makes on an alternative that applies a policy of its own: a
 * {@code Rebound.wrap} wrapper ({@link Alternative#ownPolicy}), or an instance whose own door applies its
 * policy (woven, intercepted by Guice, a container's proxy over either), whose door names that policy when it
 * takes the engine's mark ({@link dev.rebound.runtime.spi.Passthrough#enterNested}). That policy's call of the
 * method is part of the enclosing call, one logical call, which reports it as a call; the alternative's
 * policy reports the requests it sent, not a call.
 *
 * <p>Costs a call one static read while no thread is inside such a call (as
 * {@link dev.rebound.runtime.spi.Passthrough}): only then is the thread's mark consulted.
 */
public final class NestedCalls {

    private static final AtomicInteger ACTIVE = new AtomicInteger();
    /** Each thread's mark: the policy whose call now is an enclosing call's alternative, or null. */
    private static final PerThread<Object[]> POLICY = new PerThread<>(() -> new Object[1]);

    private NestedCalls() {
    }

    /**
     * Marks the calls of {@code policy} from this thread (null: of the policy a door names, {@link #claim});
     * returns what to hand to {@link #exit}.
     */
    static Object enter(Object policy) {
        Object[] mark = POLICY.get();
        Object previous = mark[0];
        mark[0] = policy;
        ACTIVE.incrementAndGet();
        return previous;
    }

    /** Ends a mark made by {@link #enter}, restoring the enclosing one; returns the policy it marked. */
    static Object exit(Object previous) {
        ACTIVE.decrementAndGet();
        Object[] mark = POLICY.get();
        Object marked = mark[0];
        mark[0] = previous;
        return marked;
    }

    /**
     * The door of the alternative the engine is calling under {@code enter(null)} applies {@code policy} to the
     * call: its calls from this thread are the enclosing call's, until the engine's mark ends. Asked by
     * {@link dev.rebound.runtime.spi.Passthrough} alone, when the door takes the engine's mark.
     */
    public static void claim(Object policy) {
        POLICY.get()[0] = policy;
    }

    /**
     * Whether a call of {@code policy} starting (or, synchronous, ending) on this thread now is the call an
     * enclosing call makes on it as its alternative.
     */
    public static boolean isNested(Object policy) {
        return ACTIVE.get() != 0 && POLICY.get()[0] == policy;
    }
}
