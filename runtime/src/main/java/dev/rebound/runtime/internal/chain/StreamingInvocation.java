package dev.rebound.runtime.internal.chain;

import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.internal.stream.StreamAttempt;
import java.util.concurrent.CompletableFuture;

/**
 * The bottom of a streaming method's chain: one attempt is the target's call with a
 * {@link StreamAttempt} in place of the caller's handler, and it ends at the first partial response.
 * The retry and fallback above it see only what happens before that token; after it, the stream
 * belongs to the caller, and a break after the first token is reported as a {@code STREAM_BROKEN}
 * event (the caller's handler gets the {@code PartialStreamException}): also when the target's call
 * throws after its first token (it streamed on this thread), which is never retried. Loaded only for
 * methods that take a langchain4j streaming handler.
 */
final class StreamingInvocation implements Strategy {

    private final int handlerIndex;
    private final Events events;

    StreamingInvocation(int handlerIndex, Events events) {
        this.handlerIndex = handlerIndex;
        this.events = events;
    }

    @Override
    public Object apply(Execution call) {
        throw new IllegalStateException("a streaming method runs its chain asynchronously");
    }

    @Override
    public CompletableFuture<Object> applyAsync(Execution call) {
        Object[] args = call.targetArgs != null ? call.targetArgs.clone() : call.fallbackArgs().clone();
        // the time to the first token is limited by a per-attempt timeout above, which cancels firstToken,
        // while the target's call runs too (TimeoutStrategy)
        // the attempt that streams is named when it breaks: the call's fields move on with later attempts
        ReboundSettings settings = call.settings;
        String target = call.target;
        int number = call.attempt;
        Caller caller = (Caller) call.streamCaller;
        StreamAttempt attempt = StreamAttempt.start((StreamingChatResponseHandler) caller.handler, call.time, null,
                cut -> events.emitStreamBroken(settings, target, number, cut, cut.partialResponses()));
        caller.last = attempt;
        args[handlerIndex] = attempt;
        @SuppressWarnings("unchecked")
        CompletableFuture<Object> firstToken = (CompletableFuture<Object>) (CompletableFuture<?>) attempt.firstToken();
        // in flight before the target's call: a target streaming on this thread is given up on while it runs
        call.inFlight(firstToken);
        try {
            call.invoker.invoke(call.instance, args);
        } catch (Throwable t) {
            if (!attempt.targetThrew(t)) {
                return CompletableFuture.failedFuture(t);
            } // else it threw after its first token, on this thread: the stream was the caller's, and ended there
        }
        return firstToken;
    }

    /** The caller's handler as the executor, which must not name langchain4j's types, holds it. */
    static Caller caller(Object handler) {
        return new Caller(handler);
    }

    /** The caller's handler, and the call's latest attempt, which decides the handler's one ending. */
    static final class Caller {
        private final Object handler;
        /** The latest attempt started; null until one is. */
        private volatile StreamAttempt last;

        Caller(Object handler) {
            this.handler = handler;
        }

        /**
         * Tells the caller's handler that the call failed: every attempt before its first token, or a
         * listener threw an Error (then an attempt may be streaming: it says nothing more). False when
         * the handler had its one ending already, and gets nothing.
         */
        boolean failed(Throwable t) {
            StreamAttempt a = last;
            if (a == null) {
                ((StreamingChatResponseHandler) handler).onError(t);
                return true;
            }
            return a.endCall(t);
        }
    }
}
