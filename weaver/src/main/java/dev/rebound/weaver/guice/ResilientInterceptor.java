package dev.rebound.weaver.guice;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.QuietRetry;
import dev.rebound.runtime.spi.ResilientMethod;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * Hands one intercepted method to its resolved policy. Each attempt calls the method by Guice's own call of the
 * superclass method when this interceptor is the last of the method's chain, so that no failed attempt crosses
 * Guice's rewriting of its stack trace ({@link SuperCalls}); else through Guice's invocation, which runs the
 * interceptors bound after this one on every attempt.
 *
 * <p>The first attempt runs here, inline, in the door protocol of {@link ResilientMethod}. Guice's invocation
 * does not escape this method when the attempts call the method themselves: the retries, the engine and the
 * alternatives get the instance, the arguments and Guice's call of the method ({@link SuperCalls.SuperCall}), so
 * the JIT may drop the invocation objects Guice makes per call (2 of its 3 allocations), whether the call
 * succeeds or fails.
 *
 * <p>A {@link ContainerInterception.DoorInterceptor}: an instance whose Guice chain holds one is known to carry
 * ReboundModule's interceptor from the start of its constructor, before any mark ({@link
 * ContainerInterception#carries}).
 */
final class ResilientInterceptor implements MethodInterceptor, ContainerInterception.DoorInterceptor {

    /** Attempts by Guice's invocation, which proceeds to the next interceptor, or to the method if none follows. */
    private static final Invoker PROCEED = new Proceed();

    /**
     * For a chain with interceptors after this one ({@link SuperCalls.Route#superCall} null), or a Guice whose
     * invocation cannot be read: shared and non-capturing, the context is Guice's MethodInvocation, which may
     * proceed again.
     */
    private static final class Proceed implements Invoker {

        @Override
        public Object invoke(Object context, Object[] args) throws Throwable {
            MethodInvocation invocation = (MethodInvocation) context;
            if (args != null) {
                // an attempt with arguments of its own (a stream's handler in place of the caller's):
                // Guice proceeds with the array getArguments() returns
                Object[] actual = invocation.getArguments();
                if (actual != args) {
                    System.arraycopy(args, 0, actual, 0, actual.length);
                }
            }
            return invocation.proceed();
        }

        @Override
        public Object[] arguments(Object context, Object[] args) {
            return ((MethodInvocation) context).getArguments();
        }
    }

    /** What {@link #ask} answers when the door runs the first attempt itself: never a method's result. */
    private static final Object RUN_HERE = new Object();

    /**
     * Set once more, at most, once the injector's bindings are known, before its eager singletons are made ({@link
     * #use}: the same policies, named with the qualified binding that leads to the class). Not final, read as the
     * field always was: no call pays for it.
     */
    private ResilientMethod policy;
    /**
     * For a class that runs woven advice (ajc wove it, or an interface whose default methods it runs), which must
     * step aside for the instances this interceptor covers: each call marks the interceptor chain of the instance
     * it reaches here, unless that instance is known to carry it, before that advice asks ({@link
     * ContainerInterception.Marker#mark}: a compare and one identity look-up once known, nothing allocated), so
     * that the advice finds it marked on every call this interceptor runs, whenever and however the instance was
     * made: a call the instance makes on itself while Guice makes it (from its constructor, an {@code @Inject}
     * method), before its provision listener marks it ({@link ResilientTypes#onProvision}); a call from a thread
     * it started then, or after a provision that failed; a copy of it ({@code clone()}). The advice asks the marks
     * alone, on each call ({@link ContainerInterception.Carriers#carries}): what the chain holds is read only where
     * nobody calls ({@link ContainerInterception#carries}). Null for a class without woven advice, which pays
     * nothing.
     */
    private final ContainerInterception.Marker marker;

    /**
     * Whether a call may take the shortcut while {@link ResilientMethod#quiet} says so: the method is bare by its
     * shape and there is no instance to mark. Else every call asks ({@link #ask}).
     */
    private boolean shortcut;

    /**
     * How an attempt reaches the method on the instances of the generated class met last ({@link #attempt}): one
     * immutable value, so a call reads one field and compares one class.
     */
    private SuperCalls.Route route = SuperCalls.Route.UNKNOWN;

    /**
     * What waits to name this method's class at its first provision, kept as long as the injector keeps this
     * interceptor (a dropped child injector lets both go); null once named. Never read by a call.
     */
    private volatile Object waiting;

    ResilientInterceptor(ResilientMethod policy, boolean marksInstances) {
        this.policy = policy;
        this.marker = marksInstances ? ContainerInterception.marker() : null;
        this.shortcut = marker == null && policy.bareByShape();
    }

    /** The policy this method runs from now on: the same, named with the binding's qualifier. */
    void use(ResilientMethod named) {
        this.policy = named;
        this.shortcut = marker == null && named.bareByShape(); // the same shape: named alike, resolved alike
    }

    /** Keeps {@code interception} until it is named ({@code null}): see {@link #waiting}. */
    void keepUntilNamed(Object interception) {
        this.waiting = interception;
    }

    /** The policy this method runs. */
    ResilientMethod policy() {
        return policy;
    }

    /**
     * The happy path is kept to one field, one static read and the attempt (a field and a class compared, then
     * Guice's call of the method: {@link #attempt}): Guice's invocation ({@code proceed}),
     * compiled on its own with this method inlined, must stay under the JIT's size for inlining compiled code
     * ({@code InlineSmallCode}, 2,500 bytes), so that its caller inlines the whole chain and the invocation Guice
     * makes per call is never allocated (1,216 bytes of machine code in the benchmark; 1,984 while the attempt
     * proceeded into {@code proceed} again). Every branch a successful call does not take is a trap,
     * whose code spills the live values; what the shortcut skips is asked out of line ({@link #ask}).
     *
     * <p>Guice's invocation goes no further than this method when the route is Guice's call of the superclass
     * method: what follows gets the instance, the arguments and that call ({@link SuperCalls.SuperCall}, the
     * engine's invoker too), and the invocation only when each attempt must proceed through it ({@code proceeding},
     * else null). So a call that fails does not keep it alive either: the JIT may drop it wherever this method is
     * inlined with it, on every path.
     */
    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        ResilientMethod p = policy; // one read: a call runs one policy, even while use() switches it
        SuperCalls.SuperCall superCall = routeOf(invocation).superCall();
        Object self = invocation.getThis();
        Object[] args = invocation.getArguments();
        MethodInvocation proceeding = superCall == null ? invocation : null;
        if (!shortcut || !ResilientMethod.quiet()) {
            Object answer = ask(p, self, args, invocation.getMethod(), superCall, proceeding);
            if (answer != RUN_HERE) {
                return answer;
            }
        }
        Object result;
        Throwable failure = null;
        try {
            result = attempt(superCall, self, args, proceeding);
        } catch (Throwable t) {
            failure = t;
            result = null;
        }
        // a branch, not the catch block, hands the failure on: the JIT compiles a branch a call never
        // took as a trap (a catch block it keeps, in Java 17)
        if (failure != null) {
            return recover(p, self, args, superCall, proceeding, failure);
        }
        return result;
    }

    /**
     * What the shortcut skips, in the protocol's order: marks the instance's interceptor chain, lets the engine's own
     * call through, hands a call whose first attempt is not bare now to the engine; {@link #RUN_HERE} when the
     * first attempt is bare after all and has started ({@link ResilientMethod#bareFirstAttempt}).
     */
    private Object ask(ResilientMethod p, Object self, Object[] args, java.lang.reflect.Method method,
            SuperCalls.SuperCall superCall, MethodInvocation proceeding) throws Throwable {
        if (marker != null) {
            marker.mark(self);
        }
        // the method matters only while some mark is in place: a mark is for one method of self; the call let
        // through is an attempt, as the engine's own would be, so Guice's pruneStacktrace is left to its outer level
        if (Passthrough.pending() && Passthrough.claim(self, method, p)) {
            return attempt(superCall, self, args, proceeding);
        }
        if (!p.bareFirstAttempt()) {
            return superCall != null ? p.execute(self, args, superCall) : p.execute(proceeding, null, PROCEED);
        }
        return RUN_HERE;
    }

    /**
     * The first attempt failed with {@code first}: while the call is quiet, the primary's retries run
     * here (the engine judges each failure and sleeps the wait: {@link ResilientMethod#retryNow}), each run as the
     * first was ({@link #attempt}); the engine takes the rest of the call over from the state so far ({@link
     * ResilientMethod#takeOver}), with the same way to the method.
     */
    private static Object recover(ResilientMethod p, Object self, Object[] args, SuperCalls.SuperCall superCall,
            MethodInvocation proceeding, Throwable first) throws Throwable {
        Throwable failure = first;
        int attempt = 1;
        Object next = null;
        while ((next = p.retryNow(next, first, failure, attempt, ResilientMethod.UNTIMED)) instanceof QuietRetry) {
            try {
                return attempt(superCall, self, args, proceeding);
            } catch (Throwable t) {
                failure = t;
                attempt++;
            }
        }
        return superCall != null
                ? p.takeOver(next, first, failure, attempt, ResilientMethod.UNTIMED, self, args, superCall)
                : p.takeOver(next, first, failure, attempt, ResilientMethod.UNTIMED, proceeding, null, PROCEED);
    }

    /**
     * One attempt: when this interceptor is the last of the invocation's chain (nothing bound after it must run
     * on each attempt), Guice's own call of the superclass method, as {@code proceed()} makes it there, but without
     * rewriting the stack trace of a failure, which the caller's failure alone needs, and gets from Guice's outer
     * levels ({@link SuperCalls}); else {@code proceed()}. The route is read once per chain, a compare per call.
     */
    private static Object attempt(SuperCalls.SuperCall superCall, Object self, Object[] args,
            MethodInvocation proceeding) throws Throwable {
        return superCall != null ? superCall.invoke(self, args) : proceeding.proceed();
    }

    /** The route of {@code invocation}'s chain: the one met last, else read ({@link #reroute}). */
    private SuperCalls.Route routeOf(MethodInvocation invocation) throws Throwable {
        SuperCalls.Route r = route;
        return r.type() == SuperCalls.keyOf(invocation) ? r : reroute(invocation);
    }

    /** Reads the route of a chain met for the first time (or again after another), for the calls that follow. */
    private SuperCalls.Route reroute(MethodInvocation invocation) throws Throwable {
        SuperCalls.Route r = SuperCalls.routeOf(invocation, this);
        route = r;
        return r;
    }
}
