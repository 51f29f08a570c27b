package dev.rebound.runtime.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What a caller's handler saw: every token, every completion, every error, in order. */
final class RecordingStreamHandler implements StreamingChatResponseHandler {

    final List<String> tokens = new CopyOnWriteArrayList<>();
    final List<ChatResponse> completions = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    /** Calls to onCompleteResponse and onError together: a stream ends exactly once. */
    final AtomicInteger endings = new AtomicInteger();
    /** "complete" and "error", in the order they came. */
    final List<String> endingKinds = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    final CompletableFuture<Void> completed = new CompletableFuture<>();
    /** When set (a RuntimeException or an Error), thrown from every token once it is recorded: the caller stopping the stream. */
    volatile Throwable stopWith;

    @Override
    public void onPartialResponse(String partialResponse) {
        tokens.add(partialResponse);
        Throwable stop = stopWith;
        if (stop instanceof RuntimeException) {
            throw (RuntimeException) stop;
        }
        if (stop instanceof Error) {
            throw (Error) stop;
        }
    }

    @Override
    public void onCompleteResponse(ChatResponse completeResponse) {
        completions.add(completeResponse);
        endingKinds.add("complete");
        endings.incrementAndGet();
        ended.complete(null);
        completed.complete(null);
    }

    @Override
    public void onError(Throwable error) {
        errors.add(error);
        endingKinds.add("error");
        endings.incrementAndGet();
        ended.complete(null);
    }

    /** Waits for the end of the stream (real I/O on loopback), at most 10 s. */
    RecordingStreamHandler awaitEnd() throws Exception {
        ended.get(10, TimeUnit.SECONDS);
        return this;
    }

    /** Waits for onCompleteResponse (real I/O on loopback), at most 10 s. */
    RecordingStreamHandler awaitCompletion() throws Exception {
        completed.get(10, TimeUnit.SECONDS);
        return this;
    }

    String text() {
        return String.join("", tokens);
    }
}
