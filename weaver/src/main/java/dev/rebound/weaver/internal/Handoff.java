package dev.rebound.weaver.internal;

import dev.rebound.runtime.spi.ResilientMethod;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.aspectj.lang.JoinPoint;

/**
 * Passes a failed first attempt from the inlined advice (which has no handle on the call's
 * arguments) to the recovery advice just inside it (which has, through its closure). The recovery
 * advice's guard reads one static counter: non-zero only while some thread is handing off.
 */
public final class Handoff {

    private static final AtomicInteger PENDING = new AtomicInteger();
    private static final ThreadLocal<Handoff> CURRENT = new ThreadLocal<>();

    public final ResilientMethod policy;
    /** The first attempt's failure; null when no first attempt was run (see {@link #admitted}). */
    public final Throwable failure;
    public final long startNanos;
    private final Object self;
    private final JoinPoint.StaticPart joinPoint;

    private Handoff(Object self, JoinPoint.StaticPart joinPoint, ResilientMethod policy, Throwable failure,
            long startNanos) {
        this.self = self;
        this.joinPoint = joinPoint;
        this.policy = policy;
        this.failure = failure;
        this.startNanos = startNanos;
    }

    /**
     * Whether the outer advice may run the first attempt itself. When not (a circuit breaker that is
     * not closed), hands the whole call to the recovery advice, which gives it to the engine's execute.
     */
    public static boolean admitted(Object self, JoinPoint.StaticPart jp, ResilientMethod policy, long start) {
        if (policy.admitFirstAttempt()) {
            return true;
        }
        give(self, jp, policy, null, start);
        return false;
    }

    /**
     * Called by the outer advice after the first attempt failed, before it proceeds again;
     * {@code start} is what {@link ResilientMethod#start()} returned.
     */
    public static void give(Object self, JoinPoint.StaticPart jp, ResilientMethod policy, Throwable failure,
            long start) {
        CURRENT.set(new Handoff(self, jp, policy, failure, start));
        PENDING.incrementAndGet();
    }

    /** The recovery advice's guard: is a handoff waiting for this very call? */
    public static boolean waitingFor(Object self, JoinPoint.StaticPart jp) {
        if (PENDING.get() == 0) {
            return false;
        }
        Handoff h = CURRENT.get();
        return h != null && h.self == self && h.joinPoint == jp;
    }

    /** Takes the waiting handoff (the recovery advice runs). */
    public static Handoff take() {
        Handoff h = CURRENT.get();
        CURRENT.set(null); // set, never remove: re-creating the entry would allocate on each recovery
        PENDING.decrementAndGet();
        return h;
    }

    /** Called by the outer advice when the second proceed returns: drops a handoff nobody took. */
    public static void drop() {
        if (CURRENT.get() != null) {
            take();
        }
    }

    /** The call's arguments, read from the around closure's state ({@code [this, args...]}). */
    public static Object[] arguments(Object[] state, JoinPoint.StaticPart jp) {
        int n = ((org.aspectj.lang.reflect.CodeSignature) jp.getSignature()).getParameterTypes().length;
        return Arrays.copyOfRange(state, state.length - n, state.length);
    }

    /** Rethrows {@code t} as it is, checked or not. */
    @SuppressWarnings("unchecked")
    public static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
