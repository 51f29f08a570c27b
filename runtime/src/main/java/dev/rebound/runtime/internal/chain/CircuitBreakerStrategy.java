package dev.rebound.runtime.internal.chain;

import dev.rebound.runtime.CircuitBreakerOpenException;
import dev.rebound.runtime.CircuitBreakerPolicy;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.ratelimit.RateLimitStore;
import dev.rebound.runtime.ratelimit.SharedCircuitState;
import dev.rebound.runtime.ReboundEvent.Kind;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the breaker before each attempt and tells it the outcome: a refused attempt fails with
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
        Object permit = breaker.tryAcquire(call.time, call);
        if (permit == null) {
            return call.refused(breaker.refusal());
        }
        Object result;
        try {
            result = next.apply(call);
        } catch (Throwable t) {
            result = call.failed(t);
        }
        if (result == Execution.FAILED) {
            Throwable t = call.failure;
            // this method's own rate limit refused: the target was not called; or the thread was
            // interrupted (a shutdown, a cancel), which says nothing of the target, as the retry reads it
            if (call.refusedHere(t) || Thread.currentThread().isInterrupted()) {
                breaker.released(permit);
                return call.failed(t);
            }
            if (breaker.failed(permit, t, call.time, call)) {
                askFleet(breaker, call.settings, t, call.time, call);
            }
            return call.failed(t);
        }
        breaker.succeeded(permit, call.time, call);
        return result;
    }

    /**
     * After a failure the breaker recorded into its current closed phase ({@link Breaker#failed} said
     * true) and that left it closed: if the fleet's breaker of the same name is open (the settings' store
     * is shared and says so), opens this one for the time left (the fleet's, past this breaker's own delay
     * if another instance's is longer: the store says so). Asked only on such a failure, so a healthy
     * call costs nothing, and neither does a late failure of an older phase; a store that is away answers
     * "not open". {@code by} is the call whose failure it was, when known (null: a door's first attempt).
     */
    static void askFleet(Breaker breaker, ReboundSettings s, Throwable t, TimeSource time, Execution by) {
        RateLimitStore store = s.rateLimitStore();
        if (store instanceof SharedCircuitState && breaker.isClosed()) {
            long remaining = ((SharedCircuitState) store).openRemainingNanos(breaker.sharedName(),
                    breaker.policy().delayNanos());
            if (remaining > 0L) {
                breaker.openFor(remaining, t, time, by);
            }
        }
    }

    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        Object permit = breaker.tryAcquire(call.time, call);
        if (permit == null) {
            CircuitBreakerOpenException refusal = breaker.refusal();
            call.addRefusal(refusal);
            return CompletableFuture.failedFuture(refusal);
        }
        CompletableFuture<Object> out = new CompletableFuture<>();
        next.applyAsync(call).whenComplete((result, t) -> {
            try {
                if (t == null) {
                    breaker.succeeded(permit, call.time, call);
                    out.complete(result);
                } else if (call.cancelled()) {
                    // the caller's choice, not the target's failure: recorded as nothing, a probe's slot freed
                    breaker.released(permit);
                    out.completeExceptionally(Async.failure(t));
                } else {
                    Throwable f = Async.failure(t);
                    if (breaker.failed(permit, f, call.time, call)) {
                        askFleet(breaker, call.settings, f, call.time, call);
                    }
                    out.completeExceptionally(f);
                }
            } catch (Throwable listenerError) {
                out.completeExceptionally(listenerError); // a transition's listener threw an Error: as apply
            }
        });
        return out;
    }

    @Override
    public Reason refusal() {
        return breaker.isOpen() ? Reason.CIRCUIT_OPEN : next.refusal();
    }

    /**
     * Reports the breaker's transitions as events on {@code target}, each once, in the order they were made
     * ({@link Breaker#tell}), with the MDC of the call whose attempt made it, taken when it was made
     * ({@link CallDemand#contextOf}), whichever thread tells it; an opening also to the fleet, under
     * {@code sharedName}, when the settings' store is shared.
     */
    static Breaker.Transitions reporting(Events events, String target, String sharedName, CircuitBreakerPolicy policy) {
        return new Breaker.Transitions() {
            @Override
            public Object context(Execution by) {
                return CallDemand.contextOf(by);
            }

            @Override
            public void opened(boolean fromHalfOpen, Throwable cause, Object context) {
                ReboundSettings s = events.settings();
                events.emitTransition(context, s, Kind.CIRCUIT_OPENED, target, policy.delayNanos(),
                        fromHalfOpen ? Reason.PROBE_FAILED : Reason.FAILURE_RATIO, cause);
                if (s.rateLimitStore() instanceof SharedCircuitState) {
                    ((SharedCircuitState) s.rateLimitStore()).opened(sharedName, policy.delayNanos());
                }
            }

            @Override
            public void openedByFleet(long nanos, Throwable cause, Object context) {
                events.emitTransition(context, events.settings(), Kind.CIRCUIT_OPENED, target, nanos, Reason.FLEET,
                        cause);
            }

            @Override
            public void halfOpened(Object context) {
                events.emitTransition(context, events.settings(), Kind.CIRCUIT_HALF_OPEN, target, 0L, null, null);
            }

            @Override
            public void closed(Object context) {
                events.emitTransition(context, events.settings(), Kind.CIRCUIT_CLOSED, target, 0L, null, null);
            }
        };
    }
}
