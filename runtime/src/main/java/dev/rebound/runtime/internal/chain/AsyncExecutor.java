package dev.rebound.runtime.internal.chain;

import static dev.rebound.runtime.ReboundEvent.Kind.FAILED;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.Branches;
import dev.rebound.runtime.internal.Leftovers;
import dev.rebound.runtime.internal.NestedCalls;
import dev.rebound.runtime.spi.Invoker;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls of one CompletionStage or streaming method: the door's first attempt, then the chain run
 * asynchronously ({@code Strategy.applyAsync}), waits scheduled, never slept. The method's
 * {@link MethodExecutor} holds its specification, breaker and events; this class only runs calls.
 */
final class AsyncExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncExecutor.class);

    private final MethodExecutor method;

    AsyncExecutor(MethodExecutor method) {
        this.method = method;
    }

    /**
     * A method returning a CompletionStage: the first attempt runs here, and a future that has
     * already succeeded is returned as it is (nothing allocated); otherwise the returned future
     * follows the call through the chain, retries and fallbacks scheduled, never slept.
     */
    CompletableFuture<Object> executeAsync(Object context, Object[] args, Invoker primary) {
        method.checkNestingDeferred();
        boolean nested = NestedCalls.take(method, method.nestedTaken); // here, on the enclosing call's thread
        ReboundSettings s = method.events.settings();
        Breaker breaker = method.breaker;
        Object permit = breaker != null ? breaker.closedPhase() : null; // the closed phase the attempt runs under
        // one settings for the whole call: its start on their clock, its events and chain on them
        if (method.firstInChain || breaker != null && permit == null || method.observed && s.tracesCalls()) {
            // refused, or a probe; or traced: the chain runs the first attempt inside the call's trace;
            // or a strategy must see it (its timer, its result check)
            return runAsync(nested ? new AsyncCall.Nested() : new AsyncCall(), s, context, args, primary,
                    method.startOn(s), null, null);
        }
        method.primaryRetry.rule().countCall(s);
        long start = method.startOn(s);
        int hintsAfter = Leftovers.mark(); // the first attempt's failure may complete on another thread
        CompletableFuture<Object> first;
        try {
            first = Async.future(primary.invoke(context, args), method.spec.primaryName());
        } catch (Throwable t) {
            first = CompletableFuture.failedFuture(t);
        }
        if (first.isDone() && !first.isCompletedExceptionally()) {
            try {
                succeeded(s, permit, start, nested);
            } catch (Throwable listenerError) {
                return CompletableFuture.failedFuture(listenerError); // as a synchronous caller would get it
            }
            return first;
        }
        AsyncCall result = nested ? new AsyncCall.Nested(first, this, s, context, args, primary, start, permit,
                hintsAfter) : new AsyncCall(first, this, s, context, args, primary, start, permit, hintsAfter);
        if (first.isDone()) { // failed already: here, on its caller's stack
            first.whenComplete((value, t) -> firstAttemptEnded(result, s, value, t, context, args, primary, start,
                    true, permit));
        } else {
            first.whenComplete(result);
        }
        return result;
    }

    /**
     * The door's first attempt of the asynchronous call {@code result} ended: it answered, or the chain
     * goes on. A listener's Error ends the call with it, as it would a synchronous one.
     */
    void firstAttemptEnded(AsyncCall result, ReboundSettings s, Object value, Throwable t, Object context,
            Object[] args, Invoker primary, long start, boolean callerStack, Object permit) {
        if (result.isDone()) {
            // the caller ended the call (a cancel, orTimeout, ...) with its first attempt in flight: no answer
            Leftovers.forget(); // what an outcome nobody awaits left on its thread is nobody's
            Events events = method.events;
            try {
                events.emit(s, FAILED, method.spec.primaryName(), null, 0, 0L, Reason.CANCELLED,
                        endedOn(t, true), start);
            } catch (Throwable listenerError) {
                endedBy(result, listenerError);
            }
            return;
        }
        Throwable f = t != null ? Async.failure(t) : null;
        try {
            if (f == null) {
                succeeded(s, permit, start, result.nested());
                result.answer(value);
                return;
            }
            Breaker breaker = method.breaker;
            if (breaker != null) {
                // into the phase it ran under: a late failure changes no later one, nor asks the fleet
                if (breaker.failed(permit, f, s.timeSource(), null)) { // before the call's chain: its first line's thread
                    CircuitBreakerStrategy.askFleet(breaker, s, f, s.timeSource(), null);
                }
            }
            method.firstAttemptFailed(callerStack);
        } catch (Throwable listenerError) {
            endedBy(result, listenerError);
            return;
        }
        runAsync(result, s, context, args, primary, start, f, null);
    }

    /**
     * The first attempt of a call on settings {@code s}, run under the breaker's closed phase {@code permit}
     * (null: no breaker), succeeded.
     */
    private void succeeded(ReboundSettings s, Object permit, long start, boolean nested) {
        if (permit != null) {
            method.breaker.succeeded(permit, s.timeSource(), null);
        }
        method.events.firstAttemptSucceeded(s, start, nested);
    }

    /**
     * A listener threw {@code error} (an Error: the listeners' RuntimeExceptions are ignored), which ends
     * the call: the caller's future fails with it. When the caller had ended its future already (or a
     * stream's handler had its ending), there is nobody left to give it to: logged, by class names.
     */
    private void endedBy(AsyncCall result, Throwable error) {
        if (!result.fail(error)) {
            lost(error);
        }
    }

    private void lost(Throwable error) {
        LOG.error("{}: a Rebound listener threw {} after the caller had the call's outcome; not delivered",
                method.spec.name(), error.getClass().getName());
    }

    /**
     * A streaming method (void, reporting to its handler): the chain runs asynchronously over the
     * attempts' first tokens; when every target has failed before its first token, the caller's
     * handler gets the failure, with the history attached, as {@code onError}. Started on a branch of a
     * {@code Parallel} or an input of a {@code Batch}, the call is cancelled if that run cancels that
     * branch ({@link Branches#cancelledWithBranch}; not once the branch has returned): its pending wait
     * and its attempt before the first token end, and the handler gets a CancellationException as
     * {@code onError}.
     */
    Object executeStream(Object context, Object[] args, Invoker primary) {
        method.checkNestingDeferred();
        Object[] held = args != null ? args : primary.argumentsInPlace(context, null);
        Object handler = held[Invoker.firstArgument(held, method.spec.parameterCount()) + method.spec.handlerIndex()];
        StreamingInvocation.Caller caller = StreamingInvocation.caller(handler);
        ReboundSettings s = method.events.settings();
        AsyncCall started = NestedCalls.take(method, method.nestedTaken) ? new AsyncCall.Nested() : new AsyncCall();
        CompletableFuture<Object> call = runAsync(started, s, context, args, primary, method.startOn(s), null,
                caller);
        call.whenComplete((ok, t) -> {
            if (t != null && !caller.failed(Async.failure(t))) {
                Throwable f = Async.failure(t);
                if (f instanceof VirtualMachineError) { // the target's (or its handler's) after the stream ended
                    LOG.error("{}: {} was thrown after the stream had ended; not delivered", method.spec.name(),
                            f.getClass().getName());
                } else {
                    lost(f); // a listener's Error after the stream had ended: the handler had its ending
                }
            }
        });
        // nobody holds this call's future: a Parallel or Batch that cancels the branch it started on cancels it
        Branches.cancelledWithBranch(call);
        return null;
    }

    /**
     * The failure an asynchronous call ended on, which gets the call's history and its FAILED event.
     * When the caller ended the call ({@code callerEnded}) with an attempt in flight, the call ends on that
     * attempt's cancellation: the target's own future's exception, which the target may keep (and nobody
     * else sees); the history and the event get an exception of the call's own instead.
     */
    static Throwable endedOn(Throwable t, boolean callerEnded) {
        Throwable f = t != null ? Async.failure(t) : null;
        if (f == null || (f instanceof CancellationException && callerEnded)) {
            return Async.cancelled();
        }
        return f;
    }

    /**
     * The call through the chain on settings {@code s}, asynchronously, completing {@code result}; untraced
     * when the door ran the first attempt ({@code firstFailure} not null), which it does only then.
     */
    private CompletableFuture<Object> runAsync(AsyncCall result, ReboundSettings s, Object context, Object[] args,
            Invoker primary, long start, Throwable firstFailure, Object streamCaller) {
        Execution call = Execution.forAsync();
        call.streamCaller = streamCaller;
        call.begin(s, method.spec.primaryName(), method.spec.parameterCount(), context, args, primary, start,
                firstFailure);
        call.nested = result.nested();
        call.hintsAfter = result.hintsAfter; // the door's first attempt's mark; the chain's attempts take their own
        result.runs(call);
        if (firstFailure == null) {
            call.firstAttemptOf = method; // the chain runs attempt 1: its failure is checked for nesting
        }
        CompletableFuture<Object> chain;
        try {
            chain = method.root(s, firstFailure != null).applyAsync(call);
        } catch (Throwable t) {
            chain = CompletableFuture.failedFuture(t);
        }
        chain.whenComplete((value, t) -> {
            try {
                Throwable failure = call.endedOn(t); // as the trace was told, when one was
                if (failure == null) {
                    method.succeededInChain(call, s, start);
                    result.answer(value);
                } else {
                    result.fail(method.failedForGood(call, failure));
                }
            } catch (Throwable listenerError) {
                endedBy(result, listenerError);
            } finally {
                call.ended(); // the caller's future has the outcome: nothing of the call stays with it
            }
        });
        call.returned = true;
        return result;
    }
}
