package dev.rebound.weaver.internal;

import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.PerThread;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.aspectj.lang.JoinPoint;
import org.aspectj.runtime.internal.AroundClosure;

/**
 * Passes a call the engine is to take over (what {@link ResilientMethod#retryNow} answered for its last
 * failure) from the inlined advice, which has no handle on the call's arguments, to the recovery advice
 * just inside it, which has, through its closure. The recovery advice's guard reads one static counter:
 * non-zero only while some thread is handing off.
 *
 * <p>Each thread has one handoff, filled by {@link #give} and emptied by {@link #recover} before the
 * recovery runs anything, so a failed call allocates nothing here, and a call nested in the
 * recovery (a woven alternative) finds it free.
 */
public final class Handoff {

    private static final AtomicInteger PENDING = new AtomicInteger();
    /** The policies whose handoff some recovery did not take, said once each ({@link #notTaken}). */
    private static final Set<ResilientMethod> NOT_TAKEN = ConcurrentHashMap.newKeySet();
    /** Each thread's handoff. */
    private static final PerThread<Handoff> CURRENT = new PerThread<>(Handoff::new);
    /**
     * {@link #recoverOutOfLine}. Deliberately not final: C2 folds a static final method handle into a
     * direct call and inlines it, and sees through nothing else (see {@link #recover}).
     */
    @SuppressWarnings("FieldMayBeFinal")
    private static MethodHandle recovery = recoveryHandle();

    /**
     * Re-runs the method body through AspectJ's closure, the call's context: shared, so that the
     * recovery allocates no invoker. The closure's state is {@code [this, arguments...]}, followed by the
     * call's {@code JoinPoint} when an advice on the method reads it (an application's
     * {@code thisJoinPoint}, an annotation-style advice's {@code JoinPoint} parameter), which ajc then
     * hands down every around advice of the method; its {@code run} reads the target from the first
     * element of what it is given, as {@code proceed(self)} would pass it; giving it the state itself
     * spares the array {@code proceed} would allocate.
     */
    public static final Invoker CLOSURE = new Invoker() {
        @Override
        public Object invoke(Object context, Object[] args) throws Throwable {
            AroundClosure closure = (AroundClosure) context;
            Object[] state = closure.getState();
            if (args != null) {
                setArguments(state, args); // an attempt with arguments of its own: a stream's handler
            }
            return closure.run(state);
        }

        /**
         * The state itself: the arguments from its second element, after {@code this}, and maybe the
         * {@code JoinPoint} after them, which the engine reads no further than the method's parameters.
         */
        @Override
        public Object[] argumentsInPlace(Object context, Object[] args) {
            return ((AroundClosure) context).getState();
        }
    };

    private boolean waiting;
    private Object self;
    private JoinPoint.StaticPart joinPoint;
    private ResilientMethod policy;
    private Object next;
    private Throwable first;
    private Throwable failure;
    private int attempt;
    private long startNanos;

    private Handoff() {
    }

    /** This thread's handoff. */
    private static Handoff current() {
        return CURRENT.get();
    }

    /**
     * Whether the outer advice may run the first attempt itself. When not (a circuit breaker that is
     * not closed), hands the whole call to the recovery advice, which gives it to the engine's execute.
     */
    public static boolean admitted(Object self, JoinPoint.StaticPart jp, ResilientMethod policy, long start) {
        if (policy.admitFirstAttempt()) {
            return true;
        }
        give(self, jp, policy, null, null, null, 0, start);
        return false;
    }

    /**
     * Called by the outer advice when the engine is to run the rest of the call, before it proceeds
     * again: {@code next} is what {@link ResilientMethod#retryNow} last returned for attempt
     * {@code attempt}'s {@code failure} ({@code first} being the call's first); {@code start} is what
     * {@link ResilientMethod#start()} returned. A null {@code failure}: the first attempt was not run.
     */
    public static void give(Object self, JoinPoint.StaticPart jp, ResilientMethod policy, Object next,
            Throwable first, Throwable failure, int attempt, long start) {
        Handoff h = current();
        if (h.waiting) {
            notTaken(h); // the recovery of an earlier call on this thread never came for its handoff
        }
        h.self = self;
        h.joinPoint = jp;
        h.policy = policy;
        h.next = next;
        h.first = first;
        h.failure = failure;
        h.attempt = attempt;
        h.startNanos = start;
        h.waiting = true;
        PENDING.incrementAndGet();
    }

    /** The recovery advice's guard: is a handoff waiting for this very call? */
    public static boolean waitingFor(Object self, JoinPoint.StaticPart jp) {
        if (PENDING.get() == 0) {
            return false;
        }
        Handoff h = current();
        return h.waiting && h.self == self && h.joinPoint == jp;
    }

    /**
     * The recovery advice runs: hands the waiting call to its policy with {@code closure} as the
     * context, emptying the handoff first.
     *
     * <p>Through {@link #RECOVERY}, a call the JIT cannot inline: the recovery advice sits in the woven
     * method's around body, which the outer advice also calls for the first attempt. With the engine
     * inlined into it, that body compiles into more than C2 inlines at a call site
     * ({@code InlineSmallCode}), so the outer advice would call it out of line whenever it happened to
     * be compiled first, and a failed first attempt would then unwind a compiled frame (a runtime
     * exception dispatch, about 70 ns: the woven failure paths' "slow mode", one JVM in two). Kept
     * opaque, the body stays small and is inlined into the advice every time, where a failure thrown
     * by an inlined target is a jump to the advice's handler.
     */
    public static Object recover(AroundClosure closure) throws Throwable {
        return (Object) recovery.invokeExact(closure);
    }

    /** What {@link #recover} runs, out of line. */
    private static Object recoverOutOfLine(AroundClosure closure) throws Throwable {
        Handoff h = current();
        ResilientMethod policy = h.policy;
        Object next = h.next;
        Throwable first = h.first;
        Throwable failure = h.failure;
        int attempt = h.attempt;
        long start = h.startNanos;
        h.clear();
        if (failure == null) {
            return policy.executeAll(closure, null, CLOSURE); // not admitted: the chain runs every attempt
        }
        return policy.takeOver(next, first, failure, attempt, start, closure, null, CLOSURE);
    }

    /**
     * Called by the outer advice when its last proceed returns: drops a handoff nobody took. When
     * no thread is handing off (the recovery took this one), one static read and no thread-local.
     */
    public static void drop() {
        if (PENDING.get() == 0) {
            return; // this thread's own give() would still count, until its recover() or drop()
        }
        Handoff h = current();
        if (h.waiting) {
            notTaken(h);
        }
    }

    /**
     * A handoff the recovery advice did not take: the call ran on without its policy's recovery (its
     * retries, its fallbacks). The recovery is the last advice of the aspect whose advice handed the call
     * off, so that no other aspect's advice runs between them and the recovery comes for every handoff; a
     * class whose weave still misses it gets here. Gives back what the engine held for it, and says so once
     * per method, at WARN on {@code dev.rebound}: a policy that is not applied is never silent.
     */
    private static void notTaken(Handoff h) {
        ResilientMethod policy = h.policy;
        Object next = h.next;
        h.clear();
        policy.abandon(next);
        if (NOT_TAKEN.add(policy)) {
            Policies.warn("Rebound: the recovery of " + policy.name() + " did not run, so a call of it ran on"
                    + " without its retries and fallbacks: its class was not woven as rebound-weaver weaves it,"
                    + " the recovery right inside the advice of ResilientCalls that handed the call off (weave it"
                    + " again, with the aspects dev.rebound.weaver.aspectj.ResilientMethods and ResilientClasses of"
                    + " the rebound-weaver it runs with).");
        }
    }

    private void clear() {
        waiting = false;
        self = null;
        joinPoint = null;
        policy = null;
        next = null;
        first = null;
        failure = null;
        PENDING.decrementAndGet();
    }

    /**
     * Puts {@code args}, exactly the call's arguments, in place of those in the around closure's state
     * ({@code [this, arguments...]}, and maybe the {@code JoinPoint} after them, left as it is), which
     * ajc's closures read when they proceed (their {@code run} takes only {@code this} from its
     * parameter). The state belongs to this one call.
     */
    public static void setArguments(Object[] closureState, Object[] args) {
        System.arraycopy(args, 0, closureState, 1, args.length);
    }

    private static MethodHandle recoveryHandle() {
        try {
            return MethodHandles.lookup().findStatic(Handoff.class, "recoverOutOfLine",
                    MethodType.methodType(Object.class, AroundClosure.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Rebound: the weaver's recovery method is missing", e);
        }
    }

    /** Rethrows {@code t} as it is, checked or not. */
    @SuppressWarnings("unchecked")
    public static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
