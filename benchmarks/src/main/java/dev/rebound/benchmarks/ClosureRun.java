package dev.rebound.benchmarks;

import org.aspectj.runtime.internal.AroundClosure;
import org.openjdk.jmh.annotations.CompilerControl;

/**
 * Runs {@code ClosureAlone}'s closure out of line, so that it escapes as it does into Rebound's engine. Compiled by
 * javac, whose JMH annotation processor writes this method's hint into {@code META-INF/CompilerHints} (ajc runs no
 * annotation processor over the woven package: see the module's pom).
 */
public final class ClosureRun {

    private ClosureRun() {
    }

    /** The closure's answer, its failure wrapped. */
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public static Object run(AroundClosure closure) {
        try {
            return closure.run(closure.getState());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
