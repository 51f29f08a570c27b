package dev.rebound.runtime.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real streaming model with a tap between it and the handler it is given (Rebound's attempt, when
 * wrapped): records, per call, what the model delivered, after the handler has had it. A test can then
 * wait for a late stream to reach an attempt the chain gave up on, and check that none of it reached
 * the caller. The model is called off the caller's thread ({@link OffThread}).
 */
final class TappedStreamingModel implements StreamingChatModel {

    /** What the model delivered to the handler of one call. */
    static final class Tap implements StreamingChatResponseHandler {
        private final StreamingChatResponseHandler handler;
        final List<String> tokens = new CopyOnWriteArrayList<>();
        /** Completes once the handler has taken the first token (or the stream's end). */
        final CompletableFuture<Void> firstDelivered = new CompletableFuture<>();

        Tap(StreamingChatResponseHandler handler) {
            this.handler = handler;
        }

        @Override
        public void onPartialResponse(String token) {
            handler.onPartialResponse(token);
            delivered(token);
        }

        @Override
        public void onPartialResponse(PartialResponse response, PartialResponseContext context) {
            handler.onPartialResponse(response, context); // the context carries the stream's handle
            delivered(response.text());
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            handler.onCompleteResponse(response);
            firstDelivered.complete(null);
        }

        @Override
        public void onError(Throwable error) {
            handler.onError(error);
            firstDelivered.complete(null);
        }

        private void delivered(String token) {
            tokens.add(token);
            firstDelivered.complete(null);
        }
    }

    private final StreamingChatModel model;
    /** One tap per call, in call order. */
    final List<Tap> calls = new CopyOnWriteArrayList<>();

    TappedStreamingModel(StreamingChatModel model) {
        this.model = model;
    }

    @Override
    public void chat(String userMessage, StreamingChatResponseHandler handler) {
        Tap tap = new Tap(handler);
        calls.add(tap);
        OffThread.start(() -> model.chat(userMessage, tap)); // a silent stream must not hold the caller
    }
}
