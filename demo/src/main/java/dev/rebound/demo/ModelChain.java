package dev.rebound.demo;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.langchain4j.ChatResults;
import dev.rebound.runtime.langchain4j.RetryAfterHttpClientBuilder;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The seed's "Retry + Fallback": gpt-4 with its retry, then gpt-3.5-turbo, then gpt-3.5-turbo-16k,
 * each with a retry of its own.
 *
 * <pre>{@code
 * primary = ChatOpenAI(model="gpt-4").with_retry(stop_after_attempt=3)
 * llm = primary.with_fallbacks([gpt35.with_retry(2), gpt35_16k.with_retry(2)])
 * }</pre>
 */
public final class ModelChain {

    public static final String PRIMARY = "gpt-4";
    public static final List<String> FALLBACKS = List.of("gpt-3.5-turbo", "gpt-3.5-turbo-16k");

    /** gpt-4: 3 attempts, 100 ms doubling (capped at 2 s), 20 s for everything; no jitter, so the demo repeats. */
    public static final RetryPolicy PRIMARY_RETRY = RetryPolicy.builder().attempts(3)
            .delay(Duration.ofMillis(100)).multiplier(2.0).maxDelay(Duration.ofSeconds(2))
            .maxDuration(Duration.ofSeconds(20)).jitter(false).build();

    /** Each fallback: 2 attempts, 100 ms apart. */
    public static final RetryPolicy FALLBACK_RETRY = RetryPolicy.builder().attempts(2)
            .delay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(2)).jitter(false).build();

    /** Where the policy above is declared, from the repository's root: the demo prints it. */
    public static final String SOURCE = "demo/src/main/java/dev/rebound/demo/ModelChain.java";

    private ModelChain() {
    }

    /**
     * The policy in effect, as the demo prints it: each model of the chain in order, with its attempts
     * and the waits between them, then the rule on answers.
     */
    public static List<String> describe() {
        return describe(false);
    }

    /**
     * The policy in effect for calls ({@code streams} false, {@link #resilient}) or for streams
     * ({@link #resilientStreaming}, which has no rule on answers: Rebound does not judge a stream's result).
     */
    public static List<String> describe(boolean streams) {
        List<String> lines = new java.util.ArrayList<>();
        lines.add(String.format(java.util.Locale.ROOT, "%-22s %s", PRIMARY, describe(PRIMARY_RETRY, true)));
        for (int i = 0; i < FALLBACKS.size(); i++) {
            lines.add(String.format(java.util.Locale.ROOT, "%-22s %s", "then " + FALLBACKS.get(i),
                    describe(FALLBACK_RETRY, i < FALLBACKS.size() - 1)));
        }
        lines.add(String.format(java.util.Locale.ROOT, "%-22s %s", "any answer", streams
                ? "a stream is not judged: a cut-off stream is the caller's"
                : "a cut-off answer (finish_reason length) goes to the next model without retry"));
        return lines;
    }

    private static String describe(RetryPolicy p, boolean nextModel) {
        List<String> waits = new java.util.ArrayList<>();
        long next = p.delay().toMillis();
        for (int i = 1; i < p.attempts(); i++) {
            long capped = Math.min(next, p.maxDelay().toMillis());
            waits.add(capped + " ms");
            next = (long) (capped * p.multiplier());
        }
        // RetryRule: a Retry-After longer than maxDelay ends the retries at once (retry-after-exceeds-max-delay)
        return p.attempts() + " attempts" + (waits.isEmpty() ? "" : ", waits " + String.join(" then ", waits))
                + (p.jitter() ? " (jittered)" : "") + (p.hasDeadline() ? ", " + p.maxDuration().toSeconds()
                + " s deadline" : "") + "; a server's Retry-After wait wins if longer, up to "
                + millisOrSeconds(p.maxDelay()) + "; beyond that, " + (nextModel ? "the next model" : "the call fails")
                + " at once";
    }

    private static String millisOrSeconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * The one call the demo makes of a model: langchain4j's {@code ChatModel.chat(ChatRequest)}, whose
     * response keeps its finish reason. The chain wraps this interface rather than {@code ChatModel}:
     * a result rule covers every method of the interface it wraps, and {@code ChatModel}'s others
     * ({@code chat(String)} returns a {@code String}) have no finish reason to judge, which
     * {@code build()} would rightly point out at WARN. Any {@code ChatModel} is one:
     * {@code chatModel::chat}.
     */
    @FunctionalInterface
    public interface Generator {
        ChatResponse chat(ChatRequest request);
    }

    /**
     * The resilient model: gpt-4 with its retry, then each fallback with its own, and a cut-off answer
     * from any of them goes to the next model without retry.
     *
     * @param models the plain model for a model name
     * @param primarySettings settings of the gpt-4 wrapper (its listener sees the fallback switches,
     *     and the answers it judges, the fallbacks' included)
     * @param fallbackSettings settings of each fallback's own retry
     */
    public static Generator resilient(Function<String, ChatModel> models, ReboundSettings primarySettings,
            ReboundSettings fallbackSettings) {
        Generator[] fallbacks = FALLBACKS.stream()
                .map(name -> Rebound.wrap(Generator.class, generator(models.apply(name))).named(name)
                        .withRetry(FALLBACK_RETRY).settings(fallbackSettings).build())
                .toArray(Generator[]::new);
        return Rebound.wrap(Generator.class, generator(models.apply(PRIMARY))).named(PRIMARY)
                .withRetry(PRIMARY_RETRY).withFallbacks(fallbacks)
                .fallbackOnResult(ChatResults.truncated()) // a cut-off answer: the next model, no retry
                .settings(primarySettings).build();
    }

    private static Generator generator(ChatModel model) {
        return model::chat;
    }

    /**
     * The same chain for streams: a failure before a model's first token is retried and falls back
     * unseen; after it, the stream is the caller's.
     *
     * @param models the plain streaming model for a model name
     */
    public static StreamingChatModel resilientStreaming(Function<String, StreamingChatModel> models,
            ReboundSettings primarySettings, ReboundSettings fallbackSettings) {
        StreamingChatModel[] fallbacks = FALLBACKS.stream()
                .map(name -> Rebound.wrap(StreamingChatModel.class, models.apply(name)).named(name)
                        .withRetry(FALLBACK_RETRY).settings(fallbackSettings).build())
                .toArray(StreamingChatModel[]::new);
        return Rebound.wrap(StreamingChatModel.class, models.apply(PRIMARY)).named(PRIMARY)
                .withRetry(PRIMARY_RETRY).withFallbacks(fallbacks).settings(primarySettings).build();
    }

    /** An OpenAI streaming chat model as Rebound wants it: Retry-After passed on. */
    public static StreamingChatModel openAiStreaming(String baseUrl, String apiKey, String model, Duration timeout) {
        OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder b = OpenAiStreamingChatModel.builder()
                .apiKey(apiKey)
                .modelName(model)
                .timeout(timeout)
                .httpClientBuilder(RetryAfterHttpClientBuilder.create());
        if (baseUrl != null) {
            b.baseUrl(baseUrl);
        }
        return b.build();
    }

    /**
     * An OpenAI chat model as Rebound wants it: langchain4j's own retries off, Retry-After passed on.
     *
     * @param baseUrl null for OpenAI itself
     */
    public static ChatModel openAi(String baseUrl, String apiKey, String model, Duration timeout) {
        OpenAiChatModel.OpenAiChatModelBuilder b = OpenAiChatModel.builder()
                .apiKey(apiKey)
                .modelName(model)
                .timeout(timeout)
                .maxRetries(0)
                .httpClientBuilder(RetryAfterHttpClientBuilder.create());
        if (baseUrl != null) {
            b.baseUrl(baseUrl);
        }
        return b.build();
    }
}
