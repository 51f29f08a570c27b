package dev.rebound.weaver.guice;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.QuietRetry;
import dev.rebound.runtime.spi.ResilientMethod;
import java.util.function.BiFunction;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * Hands one intercepted method to its resolved policy. Each attempt calls the method by Guice's own call of the
 * superclass method when this interceptor is the last of the method's chain, so that no failed attempt crosses
 * Guice's rewriting of its stack trace ({@link SuperCalls}); else through Guice's invocation, which runs the
 * interceptors bound after this one on every attempt.
 *
 * <p>The first attempt runs here, inline, in the door protocol of {@link ResilientMethod}: Guice's
 * invocation reaches the engine only when that attempt fails (or the policy must see it), so on a
 * call that succeeds it does not escape this method and the JIT may drop the invocation objects Guice
 * makes per call (2 of its 3 allocations).
 *
 * <p>A {@link ContainerInterception.DoorInterceptor}: an instance whose Guice chain holds one is known to carry
 * ReboundModule's interceptor from the start of its constructor, before any mark ({@link
 * ContainerInterception#carries}).
 */
final class ResilientInterceptor implements MethodInterceptor, ContainerInterception.DoorInterceptor {

    /** Attempts by Guice's invocation, which proceeds to the next interceptor, or to the method if none follows. */
    private static final Invoker PROCEED = new Attempt(false);
    /** Attempts by Guice's call of the superclass method, for a chain this interceptor ends ({@link #attempt}). */
    private static final Invoker SUPER_CALL = new Attempt(true);

    /** Shared and non-capturing: the context is Guice's MethodInvocation, which may proceed again. */
    private static final class Attempt implements Invoker {

        private final boolean superCall;

        Attempt(boolean superCall) {
            this.superCall = superCall;
        }

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
            return superCall ? SuperCalls.callSuper(invocation) : invocation.proceed();
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
     */
    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        ResilientMethod p = policy; // one read: a call runs one policy, even while use() switches it
        if (!shortcut || !ResilientMethod.quiet()) {
            Object answer = ask(p, invocation);
            if (answer != RUN_HERE) {
                return answer;
            }
        }
        Object result;
        Throwable failure = null;
        try {
            result = attempt(invocation);
        } catch (Throwable t) {
            failure = t;
            result = null;
        }
        // a branch, not the catch block, hands the invocation on: the JIT compiles a branch a call never
        // took as a trap, so on a call that succeeds the invocation escapes nowhere (a catch block it
        // keeps, in Java 17)
        if (failure != null) {
            return recover(p, invocation, failure);
        }
        return result;
    }

    /**
     * What the shortcut skips, in the protocol's order: marks the instance's interceptor chain, lets the engine's own
     * call through, hands a call whose first attempt is not bare now to the engine; {@link #RUN_HERE} when the
     * first attempt is bare after all and has started ({@link ResilientMethod#bareFirstAttempt}).
     */
    private Object ask(ResilientMethod p, MethodInvocation invocation) throws Throwable {
        Object self = invocation.getThis();
        if (marker != null) {
            marker.mark(self);
        }
        // the invocation's method is read only while some mark is in place: a mark is for one method of self
        if (Passthrough.pending() && Passthrough.claim(self, invocation.getMethod(), p)) {
            return invocation.proceed();
        }
        if (!p.bareFirstAttempt()) {
            return p.execute(invocation, null, invokerFor(invocation));
        }
        return RUN_HERE;
    }

    /**
     * The first attempt failed with {@code first}: while the call is quiet, the primary's retries run
     * here (the engine judges each failure and sleeps the wait: {@link ResilientMethod#retryNow}), each run as the
     * first was ({@link #attempt}); the engine takes the rest of the call over from the state so far ({@link
     * ResilientMethod#takeOver}), with the same way to the method ({@link #invokerFor}).
     */
    private Object recover(ResilientMethod p, MethodInvocation invocation, Throwable first) throws Throwable {
        Throwable failure = first;
        int attempt = 1;
        Object next = null;
        while ((next = p.retryNow(next, first, failure, attempt, ResilientMethod.UNTIMED)) instanceof QuietRetry) {
            try {
                return attempt(invocation);
            } catch (Throwable t) {
                failure = t;
                attempt++;
            }
        }
        return p.takeOver(next, first, failure, attempt, ResilientMethod.UNTIMED, invocation, null,
                invokerFor(invocation));
    }

    /**
     * One attempt: when this interceptor is the last of the invocation's chain (nothing bound after it must run
     * on each attempt), Guice's own call of the superclass method, as {@code proceed()} makes it there, but without
     * rewriting the stack trace of a failure, which the caller's failure alone needs, and gets from Guice's outer
     * levels ({@link SuperCalls}); else {@code proceed()}. The route is read once per chain, a compare per call.
     */
    private Object attempt(MethodInvocation invocation) throws Throwable {
        BiFunction<Object, Object[], Object> superCall = routeOf(invocation).superCall();
        return superCall != null ? superCall.apply(invocation.getThis(), invocation.getArguments())
                : invocation.proceed();
    }

    /** The engine's invoker for the attempts of {@code invocation}: {@link #attempt}'s way, for any thread. */
    private Invoker invokerFor(MethodInvocation invocation) throws Throwable {
        return routeOf(invocation).superCall() != null ? SUPER_CALL : PROCEED;
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
