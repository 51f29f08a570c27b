package dev.rebound.it;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The scripted targets of the asynchronous door tests: each target's first N attempts fail (a failed
 * future, or a stream whose error comes before any token), then it answers "target: prompt" (as a
 * completed future, or streamed a word at a time).
 */
public final class AsyncScript {

    private static final Map<String, Integer> FAIL_FIRST = new ConcurrentHashMap<>();
    private static final Map<String, Integer> COUNTS = new ConcurrentHashMap<>();
    private static final List<String> CALLS = new CopyOnWriteArrayList<>();
    private static final Map<String, Boolean> THROW_AFTER_FIRST_TOKEN = new ConcurrentHashMap<>();
    /** Every failure handed out, in order. */
    public static final List<Throwable> FAILURES = new CopyOnWriteArrayList<>();

    private AsyncScript() {
    }

    public static void reset() {
        FAIL_FIRST.clear();
        COUNTS.clear();
        CALLS.clear();
        FAILURES.clear();
        THROW_AFTER_FIRST_TOKEN.clear();
    }

    /**
     * The target's next stream delivers its first token, then throws from the target's own code, on its
     * caller's thread (an in-memory model whose bookkeeping failed): the failure is added to {@link #FAILURES}.
     */
    public static void throwAfterFirstToken(String target) {
        THROW_AFTER_FIRST_TOKEN.put(target, true);
    }

    public static void failFirst(String target, int n) {
        FAIL_FIRST.put(target, n);
    }

    /** "target #n" for every attempt, in order. */
    public static List<String> calls() {
        return List.copyOf(CALLS);
    }

    /** The failure of this attempt, or null when it answers. */
    private static IOException attempt(String target) {
        int n = COUNTS.merge(target, 1, Integer::sum);
        CALLS.add(target + " #" + n);
        if (n <= FAIL_FIRST.getOrDefault(target, 0)) {
            IOException f = new IOException(target + " attempt " + n + " failed");
            FAILURES.add(f);
            return f;
        }
        return null;
    }

    public static CompletableFuture<String> answer(String target, String prompt) {
        IOException f = attempt(target);
        return f != null ? CompletableFuture.failedFuture(f) : CompletableFuture.completedFuture(target + ": " + prompt);
    }

    public static void stream(String target, String prompt, StreamingChatResponseHandler handler) {
        IOException f = attempt(target);
        if (f != null) {
            handler.onError(f);
            return;
        }
        String text = target + ": " + prompt;
        for (String token : text.split("(?<=\\S)(?=\\s)")) {
            handler.onPartialResponse(token);
            if (THROW_AFTER_FIRST_TOKEN.remove(target) != null) {
                IllegalStateException broke = new IllegalStateException(target + " failed after its first token");
                FAILURES.add(broke);
                throw broke;
            }
        }
        handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from(text))
                .finishReason(FinishReason.STOP).build());
    }
}
