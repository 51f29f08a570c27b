package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.RetryPolicy;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A streamed 429's Retry-After decides the wait before the retry whichever thread reads the response,
 * reports the failure and judges it: the verdict travels with the failure langchain4j reports, never on a
 * thread. Each test fixes one ordering a loaded machine produces now and then (a flake of
 * {@code Langchain4jGuideTest}, seen once in a whole build as a 0.45 s backoff instead of the 3 s asked).
 */
class StreamedVerdictTravelsWithItsFailureTest {

    private static final String PROMPT = "Hello";
    private static final Duration REAL = Duration.ofSeconds(10);

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    private static final ModelServer server = models.server();
    private final LoopbackModels.Recording rec = new LoopbackModels.Recording();

    private StreamingChatModel resilient(StreamingChatModel model) {
        return Rebound.wrap(StreamingChatModel.class, model).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(3).build()) // a backoff of ~0.45 s, jittered
                .settings(rec.settings()).build();
    }

    /**
     * The model's first call returns only once its stream's failure was reported (on the HTTP client's
     * thread), as when the caller is paused that long: the chain listens to the attempt after it failed,
     * and judges the failure on the caller's thread, not on the one that read the response.
     */
    @Test
    void aStreamed429ReportedBeforeTheChainListensToItsAttemptWaitsItsRetryAfter() throws Exception {
        server.script("gpt-4", Fault.rateLimited(Duration.ofSeconds(3)));   // then answers
        StreamingChatModel openAi = LoopbackModels.openAiStreaming(server, "gpt-4");
        AtomicInteger calls = new AtomicInteger();
        StreamingChatModel slowToReturn = new StreamingChatModel() {
            @Override
            public void chat(String userMessage, StreamingChatResponseHandler handler) {
                TappedStreamingModel.Tap tap = new TappedStreamingModel.Tap(handler);
                openAi.chat(userMessage, tap);
                if (calls.incrementAndGet() == 1) {
                    tap.firstDelivered.orTimeout(REAL.toSeconds(), TimeUnit.SECONDS).join(); // the 429 reported
                }
            }
        };

        assertWaitedTheServersThreeSeconds(resilient(slowToReturn));
    }

    /**
     * The response opened after Rebound's HTTP client listened for it and before langchain4j's did
     * ({@code sendAsync(...).thenAccept(...)}): Rebound reads the response on the thread that completes
     * it, langchain4j reports the failure on the caller's thread.
     */
    @Test
    void aStreamed429WhoseResponseOpenedBeforeLangchain4jListenedWaitsItsRetryAfter() throws Exception {
        server.script("gpt-4", Fault.rateLimited(Duration.ofSeconds(3)));   // then answers
        StreamingChatModel openAi = OpenAiStreamingChatModel.builder()
                .baseUrl(server.baseUrl()).apiKey("test-key").modelName("gpt-4").timeout(REAL)
                .httpClientBuilder(RetryAfterHttpClientBuilder.wrap(
                        new JdkHttpClientBuilder().httpClientBuilder(OpensBeforeListening.builder())))
                .build();

        assertWaitedTheServersThreeSeconds(resilient(openAi));
    }

    /**
     * Failing the response's future instead of handing langchain4j the response changes nothing its
     * handler sees: an unwrapped streaming model reports the 429 as it does over langchain4j's own client,
     * a {@code RateLimitException} caused by an {@code HttpException} of that status and body.
     */
    @Test
    void anUnwrappedStreamsHandlerGetsThe429AsOverLangchain4jsOwnClient() throws Exception {
        server.always("gpt-4", Fault.rateLimited(Duration.ofSeconds(3)));
        StreamingChatModel plain = OpenAiStreamingChatModel.builder()
                .baseUrl(server.baseUrl()).apiKey("test-key").modelName("gpt-4").timeout(REAL).build();
        RecordingStreamHandler overLangchain4j = new RecordingStreamHandler();
        RecordingStreamHandler overRebound = new RecordingStreamHandler();

        plain.chat(PROMPT, overLangchain4j);
        LoopbackModels.openAiStreaming(server, "gpt-4").chat(PROMPT, overRebound);

        Throwable expected = overLangchain4j.awaitEnd().errors.get(0);
        assertThat(overRebound.awaitEnd().errors).singleElement().satisfies(error -> {
            assertThat(error).isInstanceOf(RateLimitException.class).hasMessage(expected.getMessage());
            assertThat(error.getCause()).isInstanceOf(HttpException.class).hasMessage(expected.getCause().getMessage())
                    .hasNoCause();
            assertThat(((HttpException) error.getCause()).statusCode()).isEqualTo(429);
        });
        assertThat(expected).isInstanceOf(RateLimitException.class).cause().isInstanceOf(HttpException.class);
    }

    private void assertWaitedTheServersThreeSeconds(StreamingChatModel llm) throws Exception {
        RecordingStreamHandler h = new RecordingStreamHandler();

        llm.chat(PROMPT, h);
        assertThat(rec.clock.awaitPendingTasks(1, REAL)).isTrue();
        assertThat(rec.clock.scheduled()).containsExactly(Duration.ofSeconds(3));   // the 429's, not the backoff
        assertThat(rec.retryReasons()).containsExactly("retry-after");
        rec.clock.runScheduled();
        h.awaitEnd();

        assertThat(h.text()).isEqualTo(ModelServer.answerFor("gpt-4", PROMPT));
        assertThat(h.errors).isEmpty();
        assertThat(rec.attemptFailures()).singleElement().isInstanceOf(RateLimitException.class);
        assertThat(server.requests("gpt-4")).isEqualTo(2);
    }

    /**
     * A JDK client whose response opens just as langchain4j starts listening for it: the futures below
     * langchain4j's (Rebound's client's) complete on a thread of their own, which ends before
     * langchain4j's {@code thenAccept} is attached, so that langchain4j's action runs on the caller's
     * thread, as it does when a loaded machine pauses the caller between the two.
     */
    static final class OpensBeforeListening extends HttpClient {

        private final HttpClient delegate;

        private OpensBeforeListening(HttpClient delegate) {
            this.delegate = delegate;
        }

        /** A JDK client builder (a proxy over the default one) whose {@code build()} returns this client. */
        static HttpClient.Builder builder() {
            HttpClient.Builder real = HttpClient.newBuilder();
            return (HttpClient.Builder) Proxy.newProxyInstance(HttpClient.Builder.class.getClassLoader(),
                    new Class<?>[] {HttpClient.Builder.class}, (proxy, method, args) -> {
                        if (method.getName().equals("build")) {
                            return new OpensBeforeListening(real.build());
                        }
                        try {
                            Object r = method.invoke(real, args);
                            return r == real ? proxy : r;
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                HttpResponse.BodyHandler<T> handler) {
            CompletableFuture<HttpResponse<T>> response = delegate.sendAsync(request, handler);
            AtomicBoolean opened = new AtomicBoolean();
            @SuppressWarnings("unchecked")
            Held<HttpResponse<T>>[] root = new Held[1];
            root[0] = new Held<>(() -> {
                if (opened.compareAndSet(false, true)) {
                    HttpResponse<T> r = response.orTimeout(REAL.toSeconds(), TimeUnit.SECONDS).join();
                    Thread opener = new Thread(() -> root[0].complete(r), "response-opener");
                    opener.start();
                    try {
                        opener.join(); // what listened before langchain4j ran there, and is done
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            return root[0];
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
            return sendAsync(request, handler);
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            return delegate.send(request, handler);
        }

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return delegate.cookieHandler();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return delegate.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return delegate.followRedirects();
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return delegate.proxy();
        }

        @Override
        public SSLContext sslContext() {
            return delegate.sslContext();
        }

        @Override
        public SSLParameters sslParameters() {
            return delegate.sslParameters();
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return delegate.authenticator();
        }

        @Override
        public Version version() {
            return delegate.version();
        }

        @Override
        public Optional<Executor> executor() {
            return delegate.executor();
        }
    }

    /**
     * A future held incomplete until someone calls {@code thenAccept} on it or on a stage made from it
     * (langchain4j's JDK client, the first to): then {@code open} completes the root, before that
     * {@code thenAccept} is attached.
     */
    static final class Held<T> extends CompletableFuture<T> {
        private final Runnable open;

        Held(Runnable open) {
            this.open = open;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new Held<>(open);
        }

        @Override
        public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
            open.run();
            return super.thenAccept(action);
        }
    }
}
