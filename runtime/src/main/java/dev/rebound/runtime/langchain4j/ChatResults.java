package dev.rebound.runtime.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.util.function.Predicate;

/**
 * Ready-made result predicates for langchain4j answers that arrive as HTTP 200 but are failures:
 * for {@code RetryPolicy.builder().retryOnResult(...)}, {@code @Retry(onResult = ...)} and
 * {@code @Fallback(onResult = ...)}.
 *
 * <pre>{@code
 * @Retry(attempts = 2, onResult = ChatResults.Blank.class)          // an empty answer: ask again
 * @Fallback(to = LargeContextModel.class, onResult = ChatResults.Truncated.class)
 * ChatResponse chat(ChatRequest request);                            // cut off: the larger model at once
 * }</pre>
 *
 * <p>Each accepts any result: a {@link ChatResponse} (text and finish reason), an {@link AiMessage}
 * (text), or a {@link String} (text only: {@code ChatModel.chat(String)} drops the finish reason, so
 * only {@link Blank} can judge it). Anything else, and null, is never rejected by
 * {@link Truncated} or {@link ContentFiltered}; {@link Blank} rejects null. Named on a method whose
 * declared result can never be a {@code ChatResponse} ({@code String}, {@code AiMessage}; for a method
 * returning a {@code CompletableFuture} or {@code CompletionStage}, the value it completes with:
 * {@code CompletableFuture<String>}), {@link Truncated} and {@link ContentFiltered} are a configuration error
 * ({@code dev.rebound.runtime.ReboundConfigurationException}, a compile error with the processor);
 * given to {@code Rebound.wrap}'s builder, whose predicate covers every method of the interface, the
 * methods they cannot judge are named at WARN when it builds.
 */
public final class ChatResults {

    private ChatResults() {
    }

    /** An answer with no text (null, empty or whitespace) and no tool call to make. */
    public static Predicate<Object> blank() {
        return new Blank();
    }

    /** An answer cut off by the token limit: finish reason {@code LENGTH}. */
    public static Predicate<Object> truncated() {
        return new Truncated();
    }

    /** An answer stopped by the provider's content filter: finish reason {@code CONTENT_FILTER}. */
    public static Predicate<Object> contentFiltered() {
        return new ContentFiltered();
    }

    /** See {@link #blank()}. Public with a no-argument constructor, for annotations. */
    public static final class Blank implements Predicate<Object> {
        @Override
        public boolean test(Object result) {
            if (result == null) {
                return true;
            }
            if (result instanceof String) {
                return ((String) result).isBlank();
            }
            AiMessage message = result instanceof ChatResponse ? ((ChatResponse) result).aiMessage()
                    : result instanceof AiMessage ? (AiMessage) result : null;
            if (message == null) {
                return result instanceof ChatResponse;
            }
            return (message.text() == null || message.text().isBlank()) && !message.hasToolExecutionRequests();
        }
    }

    /** See {@link #truncated()}. Public with a no-argument constructor, for annotations. */
    public static final class Truncated implements Predicate<Object> {
        @Override
        public boolean test(Object result) {
            return finishReason(result) == FinishReason.LENGTH;
        }
    }

    /** See {@link #contentFiltered()}. Public with a no-argument constructor, for annotations. */
    public static final class ContentFiltered implements Predicate<Object> {
        @Override
        public boolean test(Object result) {
            return finishReason(result) == FinishReason.CONTENT_FILTER;
        }
    }

    private static FinishReason finishReason(Object result) {
        return result instanceof ChatResponse ? ((ChatResponse) result).finishReason() : null;
    }
}
