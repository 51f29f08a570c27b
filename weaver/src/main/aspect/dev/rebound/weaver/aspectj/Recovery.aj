package dev.rebound.weaver.aspectj;

import dev.rebound.runtime.spi.Invoker;
import dev.rebound.weaver.internal.Handoff;
import dev.rebound.weaver.internal.NestedRetries;
import org.aspectj.runtime.internal.AroundClosure;

/**
 * Runs inside {@link ResilientMethods} and only after a first attempt failed, or when a circuit
 * breaker that is not closed keeps the outer advice from running it (its guard is one static read
 * otherwise): hands the call to the engine, with a closure that re-runs the method body
 * for retries and the call's arguments for the alternatives.
 */
public aspect Recovery {

    declare precedence: ResilientMethods, Recovery;

    Object around(Object self): ResilientMethods.resilient(self)
            && if(Handoff.waitingFor(self, thisJoinPointStaticPart)) {
        Handoff handoff = Handoff.take();
        AroundClosure closure = ajc$aroundClosure;
        org.aspectj.lang.JoinPoint.StaticPart jp = thisJoinPointStaticPart;
        Invoker again = new Invoker() {
            public Object invoke(Object context, Object[] args) throws Throwable {
                return proceed(self);
            }

            public Object[] arguments(Object context, Object[] args) {
                return Handoff.arguments(closure, jp);
            }
        };
        try {
            if (handoff.failure == null) {
                return handoff.policy.executeAll(null, null, again); // not admitted: the chain runs every attempt
            }
            NestedRetries.check(handoff.policy);
            return handoff.policy.failed(handoff.failure, handoff.startNanos, null, null, again);
        } catch (Throwable t) {
            throw Handoff.sneaky(t);
        }
    }
}
