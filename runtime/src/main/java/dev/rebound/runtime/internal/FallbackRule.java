package dev.rebound.runtime.internal;

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
    /** The lists as a failure is matched against them ({@link Classifier#typesOf}). */
    private final Class<?>[] onTypes;
    private final Class<?>[] skipOnTypes;

    public FallbackRule(List<Class<? extends Throwable>> on, List<Class<? extends Throwable>> skipOn) {
        this.on = List.copyOf(on);
        this.skipOn = List.copyOf(skipOn);
        this.onTypes = Classifier.typesOf(this.on);
        this.skipOnTypes = Classifier.typesOf(this.skipOn);
    }

    /** Whether the failures were named ({@code on} not empty) rather than left to the default. */
    public boolean named() {
        return !on.isEmpty();
    }

    /** Whether {@code skipOn} lists {@code t} (or one of its causes). */
    public boolean skips(Throwable t) {
        return Classifier.matchesAny(t, skipOnTypes);
    }

    /**
     * Whether the call goes on to its alternatives after {@code t}: not when {@code skipOn} lists it; always
     * when it is {@code ownRefusal}, a refusal of the method's own breaker or rate limit (the target was not
     * called: its alternatives are what the caller asked for); else when {@code on} lists it, or, with
     * {@code on} empty, for any {@code Exception} but an interrupt. The same refusal types thrown by a
     * resilient call the target made are failures of an attempt that ran, judged as any other.
     */
    public boolean fallsBackOn(Throwable t, boolean ownRefusal) {
        if (Classifier.matchesAny(t, skipOnTypes)) {
            return false;
        }
        if (ownRefusal) {
            return true;
        }
        if (onTypes.length != 0) {
            return Classifier.matchesAny(t, onTypes);
        }
        return t instanceof Exception && !(t instanceof InterruptedException);
    }
}
