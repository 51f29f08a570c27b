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
 * <p>An attempt the chain has given up on ({@link #abandon()}: timed out, cancelled) says nothing
 * more to anyone, and cancels its stream as soon as the stream's handle is known.
 */
public final class StreamAttempt implements StreamingChatResponseHandler {

    private static final int PENDING = 0;
    private static final int COMMITTED = 1;
    private static final int ENDED = 2;
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
            return true;
        }
        if (state.get() == ABANDONED && handle != null && !handle.isCancelled()) {
            handle.cancel(); // a stream that came too late: stop its tokens
        }
        return false;
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
        if (context == null) {
            caller.onPartialResponse(text);
        } else {
            caller.onPartialResponse(partialResponse, context);
        }
    }

    @Override
    public void onPartialThinking(PartialThinking partialThinking) {
        if (commit(null)) {
            caller.onPartialThinking(partialThinking);
        }
    }

    @Override
    public void onPartialThinking(PartialThinking partialThinking, PartialThinkingContext context) {
        if (commit(context.streamingHandle())) {
            caller.onPartialThinking(partialThinking, context);
        }
    }

    @Override
    public void onPartialToolCall(PartialToolCall partialToolCall) {
        if (commit(null)) {
            caller.onPartialToolCall(partialToolCall);
        }
    }

    @Override
    public void onPartialToolCall(PartialToolCall partialToolCall, PartialToolCallContext context) {
        if (commit(context.streamingHandle())) {
            caller.onPartialToolCall(partialToolCall, context);
        }
    }

    @Override
    public void onCompleteToolCall(CompleteToolCall completeToolCall) {
        if (commit(null)) {
            caller.onCompleteToolCall(completeToolCall);
        }
    }

    @Override
    public void onUnmappedRawEvent(Object rawEvent) {
        if (state.get() == COMMITTED) {
            caller.onUnmappedRawEvent(rawEvent);
        }
    }

    @Override
    public void onCompleteResponse(ChatResponse completeResponse) {
        if (state.compareAndSet(PENDING, ENDED)) {
            cancelTimer(); // an answer without partial responses (a tool call, an empty answer)
            firstToken.complete(null);
        } else if (!state.compareAndSet(COMMITTED, ENDED)) {
            return; // abandoned, or ended already
        }
        caller.onCompleteResponse(completeResponse);
    }

    @Override
    public void onError(Throwable error) {
        if (state.compareAndSet(PENDING, ENDED)) {
            cancelTimer();
            firstToken.completeExceptionally(error);
        } else if (state.compareAndSet(COMMITTED, ENDED)) {
            PartialStreamException cut = new PartialStreamException(partialText.toString(), partialResponses, error);
            if (broken != null) {
                broken.accept(cut);
            }
            caller.onError(cut);
        }
    }
}
