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
 * (text), a {@link String} (text only: {@code ChatModel.chat(String)} drops the finish reason, so
 * only {@link Blank} can judge it), or an AiServices method's {@code dev.langchain4j.service.Result}
 * ({@code Result<String>}: its {@code content()} as text, its finish reason; read when langchain4j's
 * {@code langchain4j} artifact is on the class path). Anything else, and null, is never rejected by
 * {@link Truncated} or {@link ContentFiltered}; {@link Blank} rejects null, and a {@code Result} whose
 * content is null or blank. Named on a method whose declared result can never be one they read
 * ({@code String} or {@code AiMessage} for {@link Truncated} and {@link ContentFiltered}; {@code Integer}
 * for any of them; for a method returning a {@code CompletableFuture} or {@code CompletionStage}, the value
 * it completes with: {@code CompletableFuture<String>}), they are a configuration error
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
            if (result instanceof ChatResponse) {
                AiMessage message = ((ChatResponse) result).aiMessage();
                return message == null || blank(message);
            }
            if (result instanceof AiMessage) {
                return blank((AiMessage) result);
            }
            return AI_SERVICES && AiServicesResults.is(result) && test(AiServicesResults.content(result));
        }

        private static boolean blank(AiMessage message) {
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
        if (result instanceof ChatResponse) {
            return ((ChatResponse) result).finishReason();
        }
        return AI_SERVICES && AiServicesResults.is(result) ? AiServicesResults.finishReason(result) : null;
    }

    /**
     * Whether AiServices' {@code Result} can be on the class path ({@code dev.langchain4j:langchain4j}, beside the
     * core): {@link AiServicesResults}, the only class naming it, is used only then.
     */
    private static final boolean AI_SERVICES = aiServicesPresent();

    private static boolean aiServicesPresent() {
        try {
            Class.forName("dev.langchain4j.service.Result", false, ChatResults.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }

    /** Reads an AiServices method's {@code Result}; loaded only when langchain4j's AiServices are there. */
    private static final class AiServicesResults {
        static boolean is(Object result) {
            return result instanceof dev.langchain4j.service.Result;
        }

        static Object content(Object result) {
            return ((dev.langchain4j.service.Result<?>) result).content();
        }

        /** Its finish reason, else its final response's (null when it has neither). */
        static FinishReason finishReason(Object result) {
            dev.langchain4j.service.Result<?> r = (dev.langchain4j.service.Result<?>) result;
            if (r.finishReason() != null) {
                return r.finishReason();
            }
            ChatResponse last = r.finalResponse();
            return last == null ? null : last.finishReason();
        }
    }
}
