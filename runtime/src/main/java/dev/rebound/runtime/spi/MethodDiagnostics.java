package dev.rebound.runtime.spi;

import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.RetryPolicy;
import java.util.List;

/** A read-only view of one resolved method, for tests and diagnostics: what it applies, its breaker's state. */
public interface MethodDiagnostics {

    /** The phase of a circuit breaker. */
    enum CircuitState { CLOSED, OPEN, HALF_OPEN }

    /** The method, as {@code ChatClient.chat(String)}. */
    String name();

    /** The primary target's retry ({@link RetryPolicy#none()} for one attempt). */
    RetryPolicy primaryRetry();

    /** The primary target's circuit breaker, or null. */
    CircuitBreakerPolicy circuitBreaker();

    /**
     * The breaker's phase now, or null without one. An open breaker whose delay has passed reads
     * OPEN until the next call.
     */
    CircuitState circuitState();

    /** The alternatives' names, in order. */
    List<String> alternatives();

    /** The method's rate limit, or null; none by default (a view that does not know of one). */
    default dev.rebound.runtime.RateLimitPolicy rateLimit() {
        return null;
    }
}
