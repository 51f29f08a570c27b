package dev.rebound.runtime;

/**
 * A call refused by an open (or fully probing half-open) circuit breaker: the target was not
 * called. The engine hands it to the fallbacks as the primary's failure; without fallbacks the
 * caller gets it.
 *
 * <p>The method's own breaker's refusal is never retried, whatever the retry's {@code on} lists: it goes
 * to the fallbacks, and it never counts against the target's health. Thrown by a resilient call the
 * target makes (a nested one, from another method's breaker), it is a failure of the attempt that ran,
 * not retried by default (that breaker has decided) and retried only when the retry's {@code on}
 * ({@code retryOn}) names it; this method's breaker records it only when its {@code on}
 * ({@code failOn}) names it.
 *
 * <p>Cheap by design: no stack trace is captured (the refusal happens in the engine, and every
 * refused call makes one). Suppressed failures are kept, so the caller still sees what the
 * alternatives threw.
 */
public final class CircuitBreakerOpenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String method;
    private final String target;

    /**
     * @param method the resilient method, as {@code ChatClient.chat(String)}
     * @param target simple class name of the target not called
     */
    public CircuitBreakerOpenException(String method, String target) {
        super(null, null, true, false);
        this.method = method;
        this.target = target;
    }

    /** The resilient method, as {@code ChatClient.chat(String)}. */
    public String method() {
        return method;
    }

    /** Simple class name of the target that was not called. */
    public String target() {
        return target;
    }

    /** Names only: safe to log. */
    @Override
    public String getMessage() {
        return "circuit breaker open: " + method + " not called on " + target;
    }
}
