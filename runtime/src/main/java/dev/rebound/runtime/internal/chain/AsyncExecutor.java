package dev.rebound.runtime.internal.chain;

import static dev.rebound.runtime.ReboundEvent.Kind.FAILED;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.spi.Invoker;
import java.util.concurrent.CompletableFuture;

/**
 * The calls of one CompletionStage or streaming method: the door's first attempt, then the chain run
 * asynchronously ({@code Strategy.applyAsync}), waits scheduled, never slept. The method's
 * {@link MethodExecutor} holds its specification, breaker and events; this class only runs calls.
 */
final class AsyncExecutor {

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
        ReboundSettings s = method.events.settings();
        Breaker breaker = method.breaker;
        if (method.firstInChain || breaker != null && !breaker.isClosed() || method.observed && s.tracesCalls()) {
            // refused, or a probe; or traced: the chain runs the first attempt inside the call's trace;
            // or a strategy must see it (its timer, its result check)
            return runAsync(new AsyncCall(), context, args, primary, method.start(), null, null);
        }
        method.primaryRetry.rule().countCall(s);
        long start = method.start();
        CompletableFuture<Object> first;
        try {
            first = Async.future(primary.invoke(context, args), method.spec.primaryName());
        } catch (Throwable t) {
            first = CompletableFuture.failedFuture(t);
        }
        if (first.isDone() && !first.isCompletedExceptionally()) {
            method.succeeded(start);
            return first;
        }
        AsyncCall result = new AsyncCall(first, this, context, args, primary, start);
        first.whenComplete(result);
        return result;
    }

    /** The door's first attempt of the asynchronous call {@code result} ended: it answered, or the chain goes on. */
    void firstAttemptEnded(AsyncCall result, Object value, Throwable t, Object context, Object[] args,
            Invoker primary, long start, boolean callerStack) {
        if (t == null) {
            method.succeeded(start);
            result.complete(value);
        } else if (result.isCancelled()) {
            // the caller cancelled the first attempt in flight: the call ends without an answer
            Events events = method.events;
            events.emit(events.settings(), FAILED, method.spec.primaryName(), null, 0, 0L, Reason.CANCELLED,
                    Async.failure(t), start);
        } else {
            Throwable f = Async.failure(t);
            if (method.breaker != null) {
                method.breaker.failedWithoutPermit(f, method.events.settings().timeSource());
            }
            method.firstAttemptFailed(callerStack);
            runAsync(result, context, args, primary, start, f, null);
        }
    }

    /**
     * A streaming method (void, reporting to its handler): the chain runs asynchronously over the
     * attempts' first tokens; when every target has failed before its first token, the caller's
     * handler gets the failure, with the history attached, as {@code onError}.
     */
    Object executeStream(Object context, Object[] args, Invoker primary) {
        method.checkNestingDeferred();
        Object[] a = args != null ? args : primary.arguments(context, null);
        Object handler = a[method.spec.handlerIndex()];
        StreamingInvocation.Caller caller = StreamingInvocation.caller(handler);
        runAsync(new AsyncCall(), context, args, primary, method.start(), null, handler).whenComplete((ok, t) -> {
            if (t != null) {
                caller.failed(Async.failure(t));
            }
        });
        return null;
    }

    /** The call through the chain, asynchronously, completing {@code result}. */
    private CompletableFuture<Object> runAsync(AsyncCall result, Object context, Object[] args, Invoker primary,
            long start, Throwable firstFailure, Object streamCaller) {
        ReboundSettings s = method.events.settings();
        Execution call = Execution.forAsync();
        call.streamCaller = streamCaller;
        call.begin(s, method.spec.primaryName(), context, args, primary, start, firstFailure);
        result.runs(call);
        if (firstFailure == null) {
            call.firstAttemptOf = method; // the chain runs attempt 1: its failure is checked for nesting
        }
        method.root(s).applyAsync(call).whenComplete((value, t) -> {
            if (t == null) {
                method.succeededInChain(call, s, start);
                result.complete(value);
            } else {
                result.completeExceptionally(method.failedForGood(call, Async.failure(t)));
            }
        });
        call.returned = true;
        return result;
    }
}
