package dev.rebound.weaver.aspectj;

import dev.rebound.weaver.internal.Handoff;
import java.util.concurrent.Callable;
import org.aspectj.lang.annotation.SuppressAjWarnings;

/**
 * Runs inside {@link ResilientCalls}' advices and only when the engine is to take a call over (what the
 * outer advice's own retries leave: a fallback, a second distinct failure, the end of the retries, an
 * interrupt, a listener or a tracer that wants the call, a policy with more than retries and fallbacks),
 * or when a circuit breaker that is not closed keeps the outer advice from running the first attempt (its
 * guard is one static read otherwise): hands the call to the engine, with
 * AspectJ's closure as the call's context, which re-runs the method body for retries and holds the
 * call's arguments for the alternatives ({@link Handoff#CLOSURE}), so that the recovery allocates
 * nothing of its own.
 */
public aspect Recovery {

    declare precedence: ResilientCalls+, Recovery;

    @SuppressAjWarnings("adviceDidNotMatch")
    Object around(Object self): ResilientMethods.resilient(self)
            && if(Handoff.waitingFor(self, thisJoinPointStaticPart)) {
        if (self == null) {
            // Never taken (this(self) binds a non-null object). ajc inlines an around advice that never
            // proceeds, and an inlined advice gets no closure: a proceed inside an inner class keeps it.
            Callable<Object> keepsTheClosure = new Callable<Object>() {
                public Object call() {
                    return proceed(self);
                }
            };
        }
        try {
            return Handoff.recover(ajc$aroundClosure);
        } catch (Throwable t) {
            throw Handoff.sneaky(t);
        }
    }
}
