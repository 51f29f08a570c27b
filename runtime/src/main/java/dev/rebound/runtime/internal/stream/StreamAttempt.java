package dev.rebound.runtime.internal.stream;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.rebound.runtime.TimeSource;
import dev.rebound.runtime.internal.Leftovers;
import dev.rebound.runtime.langchain4j.FirstTokenTimeoutException;
import dev.rebound.runtime.langchain4j.PartialStreamException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One attempt of a streamed call: the handler given to the model in place of the caller's, and the
 * future that says how the attempt went up to its first partial response ({@link #firstToken()}).
 *
 * <p>Before the first partial response nothing reaches the caller: an error (or the time-to-first-
 * token limit) completes the future exceptionally, and the chain may retry or fall back. The first
 * partial response (text, thinking or a tool call) commits the attempt: the future completes, and
 * from then on every callback goes straight to the caller's handler, nothing held back. A failure
 * after that reaches the caller as a {@link PartialStreamException} carrying the text so far.
 * Whatever the model does, the caller sees one ending: the first {@code onCompleteResponse} or
 * {@code onError} of the committed attempt (langchain4j 1.19 ends a cut stream with both).
 *
 * <p>A committed attempt is the caller's stream, never restarted. When the caller's handler throws
 * from a callback other than its endings, the caller stopped the stream, the model did not break: the
 * attempt ends, its stream is cancelled (when its handle is known), and the handler gets that same
 * exception as its one {@code onError}, as langchain4j gives it unwrapped, with no break reported.
 * When the target's call throws after the first token ({@link #targetThrew}: a model streaming on its
 * caller's thread, whose own code failed), the stream broke: as a failure after the first token.
 *
 * <p>An attempt the chain has given up on ({@link #abandon()}: timed out, cancelled) says nothing
 * more to anyone, and cancels its stream as soon as the stream's handle is known; what its late
 * failure left on its thread (a hint suggested there) is forgotten. A call that ends
 * while its attempt streams ({@link #endCall}: a listener threw an Error) does the same after the
 * caller's handler got that ending.
 */
public final class StreamAttempt implements StreamingChatResponseHandler {

    private static final int PENDING = 0;
    private static final int COMMITTED = 1;
    /** The caller's handler had its one ending from this attempt. */
    private static final int ENDED = 2;
    /** Nothing more of this attempt reaches anyone: it failed before its first token, or was given up on. */
    private static final int ABANDONED = 3;

    private final StreamingChatResponseHandler caller;
    /** Told when the committed stream breaks, before the caller's handler; or null. */
    private final Consumer<PartialStreamException> broken;
    /** Cancelling it (the caller's cancel, a per-attempt timeout) abandons the attempt. */
    private final CompletableFuture<Void> firstToken = new CompletableFuture<>() {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                abandon();
            }
            return cancelled;
        }
    };
    private final AtomicInteger state = new AtomicInteger(PENDING);
    /**
     * The model's failure the handler's ending carries (the cause of its PartialStreamException), or null:
     * when the target then throws that same error on its caller's thread, it was delivered already.
     */
    private volatile Throwable endedOn;
    /** The text delivered; written and read only by the stream's callbacks, which come one at a time. */
    private final StringBuilder partialText = new StringBuilder();
    private int partialResponses;
    private volatile Future<?> timer;

    private StreamAttempt(StreamingChatResponseHandler caller, Consumer<PartialStreamException> broken) {
        this.caller = caller;
        this.broken = broken;
    }

    /**
     * A new attempt whose first partial response must come within {@code firstTokenLimit} (null or
     * zero: no limit), timed on {@code time}. Start the model's call with the returned handler.
     */
    public static StreamAttempt start(StreamingChatResponseHandler caller, TimeSource time, Duration firstTokenLimit) {
        return start(caller, time, firstTokenLimit, null);
    }

    /**
     * As {@link #start(StreamingChatResponseHandler, TimeSource, Duration)}; {@code broken} (may be null)
     * is told, once, when the stream fails after its first partial response, with the
     * {@link PartialStreamException} the caller's handler then gets.
     */
    public static StreamAttempt start(StreamingChatResponseHandler caller, TimeSource time, Duration firstTokenLimit,
            Consumer<PartialStreamException> broken) {
        StreamAttempt attempt = new StreamAttempt(caller, broken);
        if (firstTokenLimit != null && !firstTokenLimit.isZero() && !firstTokenLimit.isNegative()) {
            attempt.timer = time.schedule(firstTokenLimit.toNanos(), () -> attempt.timedOut(firstTokenLimit));
        }
        return attempt;
    }

    /**
     * Completes when the first partial response arrives (or the stream completes without any);
     * exceptionally with the failure before it, or a {@link FirstTokenTimeoutException}. Cancelling it
     * abandons the attempt: a per-attempt timeout above the attempt is, for a stream, a limit on the
     * time to its first token.
     */
    public CompletableFuture<Void> firstToken() {
        return firstToken;
    }

    /** The chain gave up on this attempt before its first token: it says nothing more to anyone. */
    public void abandon() {
        if (state.compareAndSet(PENDING, ABANDONED)) {
            cancelTimer();
        }
    }

    /**
     * The target's call threw {@code failure} on the thread that started the attempt. Before the first
     * partial response the attempt is abandoned and false returned: the chain judges the failure (retry,
     * fallback). After it the stream is the caller's and is never restarted: the failure ends it as a
     * failure after the first token does ({@link #onError}: a {@link PartialStreamException} with
     * {@code failure} as its cause, reported broken), or does nothing when the handler had its ending;
     * true returned.
     */
    public boolean targetThrew(Throwable failure) {
        if (state.compareAndSet(PENDING, ABANDONED)) {
            cancelTimer();
            return false;
        }
        if (state.get() == ABANDONED) {
            return false; // it failed before its first token (or was given up on): the chain judges it
        }
        if (state.get() == ENDED && failure instanceof VirtualMachineError && failure != endedOn) {
            throw (VirtualMachineError) failure; // nobody's left to tell: up, where the engine logs it as lost
        }
        onError(failure);
        return true;
    }

    /**
     * The caller's handler threw {@code thrown} from a callback other than its endings: it stopped the
     * stream. Unless the handler had its ending meanwhile, the attempt ends, its stream is cancelled
     * ({@code handle}, when known; later callbacks cancel it too) and the handler gets {@code thrown} as
     * its one {@code onError}: the model did not break, so no break is reported. An {@link Error}
     * included: a streamed call's handler is the one channel of its outcome (a listener's {@code Error}
     * reaches it the same way), and langchain4j, which hands a handler's exceptions back, would let an
     * {@code Error} kill its reading thread with nobody told.
     */
    private void handlerThrew(Throwable thrown, StreamingHandle handle) {
        if (!state.compareAndSet(COMMITTED, ENDED)) {
            if (thrown instanceof VirtualMachineError) {
                throw (VirtualMachineError) thrown; // it had its ending meanwhile: up, never dropped
            }
            return;
        }
        if (handle != null && !handle.isCancelled()) {
            handle.cancel();
        }
        caller.onError(thrown);
    }

    private void timedOut(Duration limit) {
        if (state.compareAndSet(PENDING, ABANDONED)) {
            firstToken.completeExceptionally(new FirstTokenTimeoutException(limit));
        }
    }

    private void cancelTimer() {
        Future<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** True when this callback belongs to the caller: commits a pending attempt, refuses a dead one. */
    private boolean commit(StreamingHandle handle) {
        int s = state.get();
        if (s == COMMITTED) {
            return true;
        }
        if (s == PENDING && state.compareAndSet(PENDING, COMMITTED)) {
            cancelTimer();
            firstToken.complete(null);
            if (state.get() == COMMITTED) {
                return true;
            } // else the call ended as the chain heard of this token (a listener's Error): the handler had its ending
        }
        if (state.get() != COMMITTED && handle != null && !handle.isCancelled()) {
            handle.cancel(); // a stream that came too late, or whose call ended: stop its tokens
        }
        return false;
    }

    /**
     * The call ended with {@code failure} (every attempt failed before its first token, or a listener
     * threw an Error): the caller's handler gets it as {@code onError}, its one ending, unless this
     * attempt gave it one already; nothing more of this attempt reaches it.
     *
     * @return false when the handler had its ending already (and gets nothing)
     */
    public boolean endCall(Throwable failure) {
        int s;
        do {
            s = state.get();
            if (s == ENDED) {
                return false;
            }
        } while (!state.compareAndSet(s, ENDED));
        cancelTimer();
        caller.onError(failure);
        return true;
    }

    @Override
    public void onPartialResponse(String partialResponse) {
        onPartialResponse(new PartialResponse(partialResponse), null);
    }

    @Override
    public void onPartialResponse(PartialResponse partialResponse, PartialResponseContext context) {
        if (!commit(context == null ? null : context.streamingHandle())) {
            return;
        }
        String text = partialResponse.text();
        if (text != null) {
            partialText.append(text);
        }
        partialResponses++;
        try {
            if (context == null) {
                caller.onPartialResponse(text);
            } else {
                caller.onPartialResponse(partialResponse, context);
            }
        } catch (Throwable thrown) {
            handlerThrew(thrown, context == null ? null : context.streamingHandle());
        }
    }

    @Override
    public void onPartialThinking(PartialThinking partialThinking) {
        if (commit(null)) {
            try {
                caller.onPartialThinking(partialThinking);
            } catch (Throwable thrown) {
                handlerThrew(thrown, null);
            }
        }
    }

    @Override
    public void onPartialThinking(PartialThinking partialThinking, PartialThinkingContext context) {
        if (commit(context.streamingHandle())) {
            try {
                caller.onPartialThinking(partialThinking, context);
            } catch (Throwable thrown) {
                handlerThrew(thrown, context.streamingHandle());
            }
        }
    }

    @Override
    public void onPartialToolCall(PartialToolCall partialToolCall) {
        if (commit(null)) {
            try {
                caller.onPartialToolCall(partialToolCall);
            } catch (Throwable thrown) {
                handlerThrew(thrown, null);
            }
        }
    }

    @Override
    public void onPartialToolCall(PartialToolCall partialToolCall, PartialToolCallContext context) {
        if (commit(context.streamingHandle())) {
            try {
                caller.onPartialToolCall(partialToolCall, context);
            } catch (Throwable thrown) {
                handlerThrew(thrown, context.streamingHandle());
            }
        }
    }

    @Override
    public void onCompleteToolCall(CompleteToolCall completeToolCall) {
        if (commit(null)) {
            try {
                caller.onCompleteToolCall(completeToolCall);
            } catch (Throwable thrown) {
                handlerThrew(thrown, null);
            }
        }
    }

    @Override
    public void onUnmappedRawEvent(Object rawEvent) {
        if (state.get() == COMMITTED) {
            try {
                caller.onUnmappedRawEvent(rawEvent);
            } catch (Throwable thrown) {
                handlerThrew(thrown, null);
            }
        }
    }

    @Override
    public void onCompleteResponse(ChatResponse completeResponse) {
        // an answer without partial responses (a tool call, an empty answer) commits the attempt too
        if (commit(null) && state.compareAndSet(COMMITTED, ENDED)) {
            caller.onCompleteResponse(completeResponse);
        } // else abandoned, or ended already
    }

    @Override
    public void onError(Throwable error) {
        if (state.compareAndSet(PENDING, ABANDONED)) {
            cancelTimer();
            firstToken.completeExceptionally(error);
        } else if (state.compareAndSet(COMMITTED, ENDED)) {
            endedOn = error;
            PartialStreamException cut = new PartialStreamException(partialText.toString(), partialResponses, error);
            Throwable ending = cut;
            if (broken != null) {
                try {
                    broken.accept(cut);
                } catch (Throwable listenerError) { // an Error from a listener of the break: the handler's ending
                    listenerError.addSuppressed(cut);
                    ending = listenerError;
                }
            }
            caller.onError(ending);
        } else {
            Leftovers.forget(); // a failure nobody awaits (given up on, ended): what it left on this thread is nobody's
        }
    }
}
