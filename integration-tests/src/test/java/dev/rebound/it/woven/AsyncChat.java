package dev.rebound.it.woven;

import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.AsyncScript;
import java.util.concurrent.CompletableFuture;

/** Woven: a method returning a future and a streaming method, each with a retry and a fallback. */
public interface AsyncChat {

    @Retry(attempts = 3, delay = 100, jitter = false)
    @Fallback(to = Local.class)
    CompletableFuture<String> chat(String prompt);

    @Retry(attempts = 2, delay = 100, jitter = false)
    @Fallback(to = Local.class)
    void stream(String prompt, StreamingChatResponseHandler handler);

    class Primary implements AsyncChat {
        @Override
        public CompletableFuture<String> chat(String prompt) {
            return AsyncScript.answer("primary", prompt);
        }

        @Override
        public void stream(String prompt, StreamingChatResponseHandler handler) {
            AsyncScript.stream("primary", prompt, handler);
        }
    }

    class Local implements AsyncChat {
        @Override
        public CompletableFuture<String> chat(String prompt) {
            return AsyncScript.answer("local", prompt);
        }

        @Override
        public void stream(String prompt, StreamingChatResponseHandler handler) {
            AsyncScript.stream("local", prompt, handler);
        }
    }
}
