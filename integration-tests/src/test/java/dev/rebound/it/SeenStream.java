package dev.rebound.it;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A caller's stream handler for the door tests: what it saw, in order ("complete", "error" for the endings). */
public final class SeenStream implements StreamingChatResponseHandler {

    public final List<String> events = new CopyOnWriteArrayList<>();
    public final List<Throwable> errors = new CopyOnWriteArrayList<>();
    /** Completes at the first ending. */
    public final CompletableFuture<Void> ended = new CompletableFuture<>();

    @Override
    public void onPartialResponse(String token) {
        events.add(token);
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
        events.add("complete");
        ended.complete(null);
    }

    @Override
    public void onError(Throwable error) {
        errors.add(error);
        events.add("error");
        ended.complete(null);
    }
}
