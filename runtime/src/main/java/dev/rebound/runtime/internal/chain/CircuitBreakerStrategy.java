package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.ReboundEvent.Kind;

/**
 * Asks the breaker before each attempt and tells it the outcome: a refused attempt throws
 * {@link dev.rebound.runtime.CircuitBreakerOpenException} without calling the target.
 */
final class CircuitBreakerStrategy implements Strategy {

    private final Breaker breaker;
    private final Strategy next;

    CircuitBreakerStrategy(Breaker breaker, Strategy next) {
        this.breaker = breaker;
        this.next = next;
    }

    @Override
    public Object apply(Execution call) throws Throwable {
        Object permit = breaker.tryAcquire(call.time);
        if (permit == null) {
            throw breaker.refusal();
        }
        Object result;
        try {
            result = next.apply(call);
        } catch (Throwable t) {
            breaker.failed(permit, t, call.time);
            throw t;
        }
        breaker.succeeded(permit);
        return result;
    }

    @Override
    public Reason refusal() {
        return breaker.isOpen() ? Reason.CIRCUIT_OPEN : next.refusal();
    }

    /** Reports the breaker's transitions as events on {@code target}, each once, by the thread that made it. */
    static Breaker.Transitions reporting(Events events, String target, CircuitBreakerPolicy policy) {
        return new Breaker.Transitions() {
            @Override
            public void opened(boolean fromHalfOpen, Throwable cause) {
                events.emit(events.settings(), Kind.CIRCUIT_OPENED, target, null, 0, policy.delayNanos(),
                        fromHalfOpen ? Reason.PROBE_FAILED : Reason.FAILURE_RATIO, cause);
            }

            @Override
            public void halfOpened() {
                events.emit(events.settings(), Kind.CIRCUIT_HALF_OPEN, target, null, 0, 0L, null, null);
            }

            @Override
            public void closed() {
                events.emit(events.settings(), Kind.CIRCUIT_CLOSED, target, null, 0, 0L, null, null);
            }
        };
    }
}
