package dev.rebound.runtime.langchain4j;

import static dev.rebound.runtime.langchain4j.LoopbackModels.openAi;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13, item 3: a server's hint belongs to the call that received it. On one thread, a model
 * built as the README recommends but not wrapped gets a 429 with a Retry-After, and the caller
 * catches it; then an unrelated wrapped call (no HTTP: a lookup that fails once) fails. It must be
 * retried once, after its own 100 ms backoff: not stopped by the other call's 20 s hint
 * ({@code retry-after-exceeds-max-delay}), nor delayed by a 3 s one. The same when the 429 came to an
 * unwrapped streaming model.
 */
class HintBelongsToItsCallTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    private final LoopbackModels.Recording rec = new LoopbackModels.Recording();

    /** An unrelated service, wrapped by Rebound. */
    public interface Lookup {
        String find(String key);
    }

    @ParameterizedTest(name = "a stray Retry-After of {0} s")
    @ValueSource(ints = {20, 3})
    void anotherCallsRetryAfterNeverShapesThisCallsRetry(int straySeconds) {
        server.script("other-model", Fault.rateLimited(Duration.ofSeconds(straySeconds)));
        ChatModel unwrapped = openAi(server, "other-model");
        assertThat(catchThrowable(() -> unwrapped.chat("hi"))).isInstanceOf(RateLimitException.class);

        Lookup wrapped = wrappedFlakyLookup();

        assertThat(wrapped.find("k")).isEqualTo("found k");
        assertRetriedAfterItsOwnBackoff();
    }

    /** A lookup that fails once, wrapped with a 100 ms backoff and a maxDelay of 5 s. */
    private Lookup wrappedFlakyLookup() {
        Lookup flaky = new Lookup() {
            int calls;

            @Override
            public String find(String key) {
                if (++calls == 1) {
                    throw new IllegalStateException("index busy");
                }
                return "found " + key;
            }
        };
        return Rebound.wrap(Lookup.class, flaky)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100))
                        .maxDelay(Duration.ofSeconds(5)).jitter(false).build())
                .settings(rec.settings()).build();
    }

    private void assertRetriedAfterItsOwnBackoff() {
        assertThat(rec.retryReasons()).containsExactly("backoff");
        assertThat(rec.clock.sleeps()).containsExactly(Duration.ofMillis(100));
        assertThat(rec.exhaustedReasons()).isEmpty();
    }

    /**
     * The same on the streaming path: langchain4j's streaming client reports a failed response on the
     * HTTP client's thread, where {@code RetryAfterHttpClientBuilder} leaves the response's verdict for
     * the chain to take. When the streaming model is not wrapped, nobody takes it; a wrapped call that
     * then fails on that thread (made from the handler's {@code onError}, as a "try something else"
     * would be) is retried after its own backoff.
     */
    @ParameterizedTest(name = "a stray streamed Retry-After of {0} s")
    @ValueSource(ints = {20, 3})
    void anUnwrappedStreamsRetryAfterNeverShapesTheNextCallOnItsThread(int straySeconds) throws Exception {
        server.script("other-model", Fault.rateLimited(Duration.ofSeconds(straySeconds)));
        Lookup wrapped = wrappedFlakyLookup();
        CompletableFuture<Throwable> streamFailure = new CompletableFuture<>();
        CompletableFuture<String> found = new CompletableFuture<>();

        LoopbackModels.openAiStreaming(server, "other-model").chat("hi", new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                found.completeExceptionally(new AssertionError("the 429 answered"));
            }

            @Override
            public void onError(Throwable error) {
                streamFailure.complete(error);
                try {
                    found.complete(wrapped.find("k")); // on the thread that read the 429
                } catch (RuntimeException e) {
                    found.completeExceptionally(e);
                }
            }
        });

        assertThat(streamFailure.get(10, TimeUnit.SECONDS)).isInstanceOf(RateLimitException.class);
        assertThat(found.get(10, TimeUnit.SECONDS)).isEqualTo("found k");
        assertRetriedAfterItsOwnBackoff();
    }

    /** An unrelated asynchronous service, wrapped by Rebound. */
    public interface AsyncLookup {
        CompletableFuture<String> find(String key);
    }

    /**
     * An asynchronous call's attempt may fail on any thread, with no call starting there to forget what
     * is on it: an unrelated lookup's pending attempt failed from an unwrapped stream's {@code onError},
     * on the thread that read the stream's 429, is judged with its own failure only. A quota 429 does not
     * stop it; a Retry-After does not set its wait.
     */
    @ParameterizedTest(name = "a stray streamed {0}")
    @ValueSource(strings = {"quota", "retry-after"})
    void anUnwrappedStreamsVerdictNeverShapesAnAsyncCallFailingOnItsThread(String fault) throws Exception {
        server.script("other-model", fault.equals("quota") ? Fault.quotaExhausted()
                : Fault.rateLimited(Duration.ofSeconds(3)));
        CompletableFuture<String> pending = new CompletableFuture<>();
        int[] calls = {0};
        AsyncLookup target = key -> ++calls[0] == 1 ? pending : CompletableFuture.completedFuture("found " + key);
        AsyncLookup lookup = Rebound.wrap(AsyncLookup.class, target)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100))
                        .maxDelay(Duration.ofSeconds(5)).jitter(false).build())
                .settings(rec.settings()).build();
        CompletableFuture<String> found = lookup.find("k"); // its first attempt in flight
        CompletableFuture<Throwable> judged = new CompletableFuture<>();

        LoopbackModels.openAiStreaming(server, "other-model").chat("hi", new StreamingChatResponseHandler() {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                judged.completeExceptionally(new AssertionError("the 429 answered"));
            }

            @Override
            public void onError(Throwable error) {
                pending.completeExceptionally(new IllegalStateException("index busy")); // judged here, now
                judged.complete(error);
            }
        });

        assertThat(judged.get(10, TimeUnit.SECONDS)).isInstanceOf(RateLimitException.class);
        assertThat(rec.exhaustedReasons()).isEmpty();
        assertThat(rec.retryReasons()).containsExactly("backoff");
        assertThat(rec.clock.scheduled()).containsExactly(Duration.ofMillis(100));
        rec.clock.runScheduled();
        assertThat(found.get(10, TimeUnit.SECONDS)).isEqualTo("found k");
        assertThat(calls[0]).isEqualTo(2);
    }
}
