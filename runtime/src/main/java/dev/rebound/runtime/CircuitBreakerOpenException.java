package dev.rebound.runtime;

/**
 * A call refused by an open (or fully probing half-open) circuit breaker: the target was not
 * called. The engine hands it to the fallbacks as the primary's failure; without fallbacks the
 * caller gets it. It is never retried and never counts against the target's health.
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
