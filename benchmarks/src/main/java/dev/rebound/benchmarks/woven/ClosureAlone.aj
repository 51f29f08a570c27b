package dev.rebound.benchmarks.woven;

import dev.rebound.benchmarks.ClosureRun;
import java.util.concurrent.Callable;

/**
 * The floor of the woven door's failure paths: what AspectJ itself allocates when an around advice
 * re-runs a method through its closure, as Rebound's recovery advice does (the closure ajc builds at
 * the join point, and its state array of the target and the arguments). The closure is run out of
 * line ({@link ClosureRun}), so that it escapes as it does into Rebound's engine.
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
        return ClosureRun.run(ajc$aroundClosure);
    }
}
