package dev.rebound.weaver.aspectj;

import org.aspectj.lang.annotation.SuppressAjWarnings;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.weaver.internal.Handoff;

/**
 * Runs inside {@link ResilientMethods} and only after a first attempt failed, or when a circuit
 * breaker that is not closed keeps the outer advice from running it (its guard is one static read
 * otherwise): hands the call to the engine, with a closure that re-runs the method body
 * for retries and the call's arguments for the alternatives.
 */
public aspect Recovery {

    declare precedence: ResilientMethods, Recovery;

    @SuppressAjWarnings("adviceDidNotMatch")
    Object around(Object self): ResilientMethods.resilient(self)
            && if(Handoff.waitingFor(self, thisJoinPointStaticPart)) {
        Handoff handoff = Handoff.take();
        var closure = ajc$aroundClosure; // AspectJ's AroundClosure: its state holds the arguments
        org.aspectj.lang.JoinPoint.StaticPart jp = thisJoinPointStaticPart;
        Invoker again = new Invoker() {
            public Object invoke(Object context, Object[] args) throws Throwable {
                return proceed(self);
            }

            public Object[] arguments(Object context, Object[] args) {
                return Handoff.arguments(closure.getState(), jp);
            }
        };
        try {
            if (handoff.failure == null) {
                return handoff.policy.executeAll(null, null, again); // not admitted: the chain runs every attempt
            }
            return handoff.policy.failed(handoff.failure, handoff.startNanos, null, null, again);
        } catch (Throwable t) {
            throw Handoff.sneaky(t);
        }
    }
}
