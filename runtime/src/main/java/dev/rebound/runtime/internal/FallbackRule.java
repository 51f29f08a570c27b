package dev.rebound.runtime.internal;

import dev.rebound.runtime.CircuitBreakerOpenException;
import dev.rebound.runtime.RateLimitRefusedException;
import java.util.List;

/**
 * When a failure may go to the alternatives: {@code skipOn} wins, then {@code on}, else any Exception.
 * A call refused by an open circuit breaker always may (unless {@code skipOn} lists it): the target
 * was not even called.
 */
public final class FallbackRule {

    public static final FallbackRule ANY_EXCEPTION = new FallbackRule(List.of(), List.of());

    private final List<Class<? extends Throwable>> on;
    private final List<Class<? extends Throwable>> skipOn;

    public FallbackRule(List<Class<? extends Throwable>> on, List<Class<? extends Throwable>> skipOn) {
        this.on = List.copyOf(on);
        this.skipOn = List.copyOf(skipOn);
    }

    /** Whether the failures were named ({@code on} not empty) rather than left to the default. */
    public boolean named() {
        return !on.isEmpty();
    }

    /** Whether {@code skipOn} lists {@code t} (or one of its causes). */
    public boolean skips(Throwable t) {
        return Classifier.matchesAny(t, skipOn);
    }

    public boolean fallsBackOn(Throwable t) {
        if (Classifier.matchesAny(t, skipOn)) {
            return false;
        }
        if (t instanceof CircuitBreakerOpenException || t instanceof RateLimitRefusedException) {
            return true; // the target was not called: its alternatives are what the caller asked for
        }
        if (!on.isEmpty()) {
            return Classifier.matchesAny(t, on);
        }
        return t instanceof Exception && !(t instanceof InterruptedException);
    }
}
