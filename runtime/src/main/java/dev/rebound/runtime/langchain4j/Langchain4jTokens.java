package dev.rebound.runtime.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.TokenCountEstimator;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.rebound.runtime.ratelimit.TokenEstimator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Tokens as langchain4j sees them, for the rate limiter: an estimator for the model (langchain4j's
 * {@link TokenCountEstimator}, e.g. {@code OpenAiTokenCountEstimator}), the answer's budget a request
 * asks for ({@code maxOutputTokens}) and the usage a response reports. Loaded only when langchain4j is
 * on the class path.
 */
public final class Langchain4jTokens {

    private Langchain4jTokens() {
    }

    /**
     * A {@link TokenEstimator} over langchain4j's estimator for the model: counts {@link String}
     * arguments as text, {@link ChatMessage}s and {@link ChatRequest}s as messages.
     *
     * @throws NullPointerException if {@code estimator} is null
     */
    public static TokenEstimator estimator(TokenCountEstimator estimator) {
        Objects.requireNonNull(estimator, "estimator");
        return arguments -> {
            long tokens = 0;
            for (Object a : arguments) {
                if (a instanceof String) {
                    tokens += estimator.estimateTokenCountInText((String) a);
                } else if (a instanceof ChatMessage) {
                    tokens += estimator.estimateTokenCountInMessage((ChatMessage) a);
                } else if (a instanceof ChatRequest) {
                    tokens += estimator.estimateTokenCountInMessages(((ChatRequest) a).messages());
                } else if (a instanceof Iterable) {
                    List<ChatMessage> messages = new ArrayList<>();
                    for (Object o : (Iterable<?>) a) {
                        if (o instanceof ChatMessage) {
                            messages.add((ChatMessage) o);
                        } else if (o instanceof String) {
                            tokens += estimator.estimateTokenCountInText((String) o);
                        }
                    }
                    if (!messages.isEmpty()) {
                        tokens += estimator.estimateTokenCountInMessages(messages);
                    }
                }
            }
            return Math.max(0, tokens);
        };
    }

    /** The {@code maxOutputTokens} of the first {@link ChatRequest} among the arguments that sets one, or -1. */
    public static long maxOutputTokens(Object[] arguments) {
        if (arguments != null) {
            for (Object a : arguments) {
                if (a instanceof ChatRequest) {
                    Integer max = ((ChatRequest) a).maxOutputTokens();
                    if (max != null) {
                        return max;
                    }
                }
            }
        }
        return -1;
    }

    /** The total tokens a {@link ChatResponse} (or a {@link TokenUsage}) reports, or -1 if none. */
    public static long usedTokens(Object result) {
        TokenUsage usage = null;
        if (result instanceof ChatResponse) {
            usage = ((ChatResponse) result).tokenUsage();
        } else if (result instanceof TokenUsage) {
            usage = (TokenUsage) result;
        }
        if (usage == null) {
            return -1;
        }
        Integer total = usage.totalTokenCount();
        if (total != null) {
            return total;
        }
        Integer in = usage.inputTokenCount();
        Integer out = usage.outputTokenCount();
        return in == null && out == null ? -1 : (in == null ? 0 : in) + (out == null ? 0 : out);
    }

    /** The text of a chat message (the text parts of a user message), or null if {@code o} is not one. */
    public static CharSequence messageText(Object o) {
        if (o instanceof UserMessage) {
            StringBuilder sb = new StringBuilder();
            for (Content c : ((UserMessage) o).contents()) {
                if (c instanceof TextContent) {
                    sb.append(((TextContent) c).text());
                }
            }
            return sb;
        }
        if (o instanceof SystemMessage) {
            return ((SystemMessage) o).text();
        }
        if (o instanceof AiMessage) {
            String text = ((AiMessage) o).text();
            return text == null ? "" : text;
        }
        if (o instanceof ToolExecutionResultMessage) {
            return ((ToolExecutionResultMessage) o).text();
        }
        return null;
    }

    /** The messages of a {@link ChatRequest}, or null if {@code o} is not one. */
    public static Iterable<?> requestMessages(Object o) {
        return o instanceof ChatRequest ? ((ChatRequest) o).messages() : null;
    }
}
