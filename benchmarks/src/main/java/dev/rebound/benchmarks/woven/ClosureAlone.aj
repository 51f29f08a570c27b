package dev.rebound.benchmarks.woven;

import java.util.concurrent.Callable;
import org.aspectj.runtime.internal.AroundClosure;
import org.openjdk.jmh.annotations.CompilerControl;

/**
 * The floor of the woven door's failure paths: what AspectJ itself allocates when an around advice
 * re-runs a method through its closure, as Rebound's recovery advice does (the closure ajc builds at
 * the join point, and its state array of the target and the arguments). The closure is run out of
 * line, so that it escapes as it does into Rebound's engine.
 */
public aspect ClosureAlone {

    Object around(Object self): execution(public String ClosureSubject.chat(String)) && this(self) {
        if (self == null) {
            // never taken: a proceed inside an inner class makes ajc give this advice its closure
            Callable<Object> keepsTheClosure = new Callable<Object>() {
                public Object call() {
                    return proceed(self);
                }
            };
        }
        return run(ajc$aroundClosure);
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    static Object run(AroundClosure closure) {
        try {
            return closure.run(closure.getState());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
