package dev.rebound.weaver.guice;

import dev.rebound.runtime.spi.ContainerInterception;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Passthrough;
import dev.rebound.runtime.spi.QuietRetry;
import dev.rebound.runtime.spi.ResilientMethod;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * Hands one intercepted method to its resolved policy; Guice's invocation re-runs the method.
 *
 * <p>The first attempt runs here, inline, in the door protocol of {@link ResilientMethod}: Guice's
 * invocation reaches the engine only when that attempt fails (or the policy must see it), so on a
 * call that succeeds it does not escape this method and the JIT may drop the invocation objects Guice
 * makes per call (2 of its 3 allocations).
 */
final class ResilientInterceptor implements MethodInterceptor {

    /** Shared and non-capturing: the context is Guice's MethodInvocation, which may proceed again. */
    private static final Invoker PROCEED = new Invoker() {
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
    };

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
     * it started then, or after a provision that failed; a copy of it ({@code clone()}). Null for a class without
     * woven advice, which pays nothing.
     */
    private final ContainerInterception.Marker marker;

    ResilientInterceptor(ResilientMethod policy, boolean marksInstances) {
        this.policy = policy;
        this.marker = marksInstances ? ContainerInterception.marker() : null;
    }

    /** The policy this method runs from now on: the same, named with the binding's qualifier. */
    void use(ResilientMethod named) {
        this.policy = named;
    }

    /** The policy this method runs. */
    ResilientMethod policy() {
        return policy;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object self = invocation.getThis();
        if (marker != null) {
            marker.mark(self);
        }
        ResilientMethod p = policy;
        // the invocation's method is read only while some mark is in place: a mark is for one method of self
        if (Passthrough.pending() && Passthrough.claim(self, invocation.getMethod(), p)) {
            return invocation.proceed();
        }
        if (!p.bareFirstAttempt()) {
            return p.execute(invocation, null, PROCEED);
        }
        Object result;
        Throwable failure = null;
        try {
            result = invocation.proceed();
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
     * The first attempt failed with {@code first}: while the call is quiet, the primary's retries run
     * here (the engine judges each failure and sleeps the wait: {@link ResilientMethod#retryNow}) and
     * Guice's invocation proceeds again; the engine takes the rest of the call over from the state so
     * far ({@link ResilientMethod#takeOver}).
     */
    private static Object recover(ResilientMethod p, MethodInvocation invocation, Throwable first) throws Throwable {
        Throwable failure = first;
        int attempt = 1;
        Object next = null;
        while ((next = p.retryNow(next, first, failure, attempt, ResilientMethod.UNTIMED)) instanceof QuietRetry) {
            try {
                return invocation.proceed();
            } catch (Throwable t) {
                failure = t;
                attempt++;
            }
        }
        return p.takeOver(next, first, failure, attempt, ResilientMethod.UNTIMED, invocation, null, PROCEED);
    }
}
