package dev.rebound.runtime.internal.chain;

import java.util.concurrent.CompletableFuture;

import dev.rebound.runtime.observation.CallTrace;
import dev.rebound.runtime.observation.CallTracer;

/**
 * The root of a traced chain: starts the call's trace when the settings have a tracer, so the
 * strategies below report into it through {@link Execution#trace}, and ends it with the call's
 * outcome and the failure the caller gets. Without a tracer it only passes the call on.
 */
final class CallObservation implements Strategy {

    private final String method;
    private final Strategy next;

    CallObservation(String method, Strategy next) {
        this.method = method;
        this.next = next;
    }

    @Override
    public Object apply(Execution call) throws Throwable {
        CallTracer tracer = call.settings.tracer();
        if (tracer == null) {
            return next.apply(call);
        }
        CallTrace trace = GuardedTrace.start(tracer, method, false);
        call.trace = trace;
        Object result;
        try {
            result = next.apply(call);
        } catch (Throwable t) {
            result = call.failed(t);
        }
        if (result == Execution.FAILED) {
            Throwable t = call.failure;
            FailureHistory history = call.history;
            if (t != history.last()) {
                history.record(t);
            }
            trace.ended("failure", history.callersFailure());
            return call.failed(t);
        }
        trace.ended(call.history.isEmpty() ? "success" : call.onPrimary ? "success_after_retry" : "fallback", null);
        return result;
    }

    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        CallTracer tracer = call.settings.tracer();
        if (tracer == null) {
            return next.applyAsync(call);
        }
        // its steps are told on the threads the call goes on: nothing of it is left current on any thread
        CallTrace trace = GuardedTrace.start(tracer, method, true);
        call.trace = trace;
        CompletableFuture<Object> out = new CompletableFuture<>();
        next.applyAsync(call).whenComplete((result, t) -> {
            Throwable f = call.endedOn(t); // decided once: the executor's events and meters say the same
            if (f == null) {
                trace.ended(call.history.isEmpty() ? "success" : call.onPrimary ? "success_after_retry" : "fallback",
                        null);
                out.complete(result);
            } else {
                FailureHistory history = call.history;
                if (f != history.last()) {
                    history.record(f);
                }
                // what the caller gets: its own ending when it ended the call, else the call's failure
                trace.ended("failure", call.cancelled() ? call.callersEnding(f) : history.callersFailure());
                out.completeExceptionally(f);
            }
        });
        return out;
    }

    @Override
    public Reason refusal() {
        return next.refusal();
    }
}
