package dev.rebound.runtime.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An in-memory streaming model whose calls follow a script: each step gets the handler of its attempt;
 * once the script is done, a call streams "ok" and completes. Keeps every attempt's handler.
 */
final class ScriptedStream implements StreamingChatModel {

    final Deque<Consumer<StreamingChatResponseHandler>> script = new ArrayDeque<>();
    final List<StreamingChatResponseHandler> handlers = new CopyOnWriteArrayList<>();

    ScriptedStream then(Consumer<StreamingChatResponseHandler> step) {
        script.add(step);
        return this;
    }

    @Override
    public void chat(ChatRequest request, StreamingChatResponseHandler handler) {
        handlers.add(handler);
        Consumer<StreamingChatResponseHandler> step = script.poll();
        if (step == null) {
            handler.onPartialResponse("ok");
            handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("ok")).build());
        } else {
            step.accept(handler);
        }
    }
}
