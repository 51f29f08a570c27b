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
 * <p>The mark is for one call: the next call of that policy to start on this thread, the engine's on the
 * alternative, takes it ({@link #take}). The calls the alternative then makes itself under the same policy
 * (on another instance of its class, on its own wrapper again) find it taken: each is a call of its own. A
 * call that takes it is run by the chain, which reads the mark as it starts, never by a door
 * ({@link #marks}), so that what the call reports is decided before the alternative runs.
 *
 * <p>Costs a call one static read while no thread is inside such a call (as
 * {@link dev.rebound.runtime.spi.Passthrough}): only then is the thread's mark consulted.
 */
public final class NestedCalls {

    private static final AtomicInteger ACTIVE = new AtomicInteger();
    /**
     * Each thread's mark: the policy whose next call is an enclosing call's alternative, or the
     * {@link #takenBy taken mark} of the policy whose call took it, or null.
     */
    private static final PerThread<Object[]> POLICY = new PerThread<>(() -> new Object[1]);

    private NestedCalls() {
    }

    /**
     * What a call of {@code policy} leaves in the thread's mark when it takes it: made once per policy, kept
     * by it, so that taking a mark allocates nothing.
     */
    public static Object takenBy(Object policy) {
        return new Taken(policy);
    }

    /**
     * Marks the next call of {@code policy} from this thread (null: of the policy a door names, {@link #claim});
     * returns what to hand to {@link #exit}.
     */
    static Object enter(Object policy) {
        Object[] mark = POLICY.get();
        Object previous = mark[0];
        mark[0] = policy;
        Shortcut.close();
        ACTIVE.incrementAndGet();
        return previous;
    }

    /**
     * Ends a mark made by {@link #enter}, restoring the enclosing one (taken or not, as it was); returns the
     * policy it marked, whether a call of it took the mark or not.
     */
    static Object exit(Object previous) {
        ACTIVE.decrementAndGet();
        Shortcut.reopen();
        Object[] mark = POLICY.get();
        Object marked = mark[0];
        mark[0] = previous;
        return marked instanceof Taken ? ((Taken) marked).policy : marked;
    }

    /**
     * The door of the alternative the engine is calling under {@code enter(null)} applies {@code policy} to the
     * call: its next call from this thread, the one the door is making, is the enclosing call's. Asked by
     * {@link dev.rebound.runtime.spi.Passthrough} alone, when the door takes the engine's mark.
     */
    public static void claim(Object policy) {
        POLICY.get()[0] = policy;
    }

    /**
     * Whether the call of {@code policy} starting on this thread now is the one an enclosing call makes on it
     * as its alternative: the mark names it and no call has taken it yet. Leaves it in place: a door asks this
     * so as not to run such a call's first attempt itself (the chain takes the mark, {@link #take}).
     */
    public static boolean marks(Object policy) {
        return ACTIVE.get() != 0 && POLICY.get()[0] == policy;
    }

    /**
     * {@link #marks}, and takes the mark for the call starting now, leaving {@code taken} ({@link #takenBy
     * policy's}) in its place: the calls of {@code policy} that start after it on this thread, while the
     * enclosing call's mark lasts, are calls of their own.
     */
    public static boolean take(Object policy, Object taken) {
        if (ACTIVE.get() == 0) {
            return false;
        }
        Object[] mark = POLICY.get();
        if (mark[0] != policy) {
            return false;
        }
        mark[0] = taken;
        return true;
    }

    /** A mark that a call of {@link #policy} took. */
    private static final class Taken {
        final Object policy;

        Taken(Object policy) {
            this.policy = policy;
        }
    }
}
