package dev.rebound.runtime.langchain4j;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.rebound.runtime.RetryAfter;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * langchain4j's JDK HTTP client, made to pass the server's suggested wait ({@code Retry-After},
 * {@code retry-after-ms}, rate-limit reset headers) of a failed response to Rebound, so the next
 * retry waits at least that long (a wait beyond maxDelay or past maxDuration ends the retries instead).
 *
 * <pre>{@code
 * ChatModel gpt4 = OpenAiChatModel.builder()
 *     .apiKey(key).modelName("gpt-4")
 *     .httpClientBuilder(RetryAfterHttpClientBuilder.create())
 *     .maxRetries(0)          // Rebound retries; langchain4j's own retries would multiply requests
 *     .build();
 * }</pre>
 *
 * <p>langchain4j 1.x exceptions carry no headers, so the hint is read where the response is still
 * whole: in the JDK client under langchain4j's. It travels to the engine through
 * {@link RetryAfter}, on the calling thread, which is the thread of a synchronous model call.
 * Streaming calls run on the client's threads and carry no hint.
 */
public final class RetryAfterHttpClientBuilder implements HttpClientBuilder {

    private final JdkHttpClientBuilder delegate;
    private final Clock clock;

    private RetryAfterHttpClientBuilder(JdkHttpClientBuilder delegate, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    /** A builder over a default JDK client. */
    public static RetryAfterHttpClientBuilder create() {
        return wrap(new JdkHttpClientBuilder());
    }

    /**
     * Decorates {@code jdk}, keeping its JDK client builder (proxy, SSL, executor, ...) if it has one.
     *
     * @throws NullPointerException if {@code jdk} is null
     */
    public static RetryAfterHttpClientBuilder wrap(JdkHttpClientBuilder jdk) {
        return wrap(jdk, Clock.systemUTC());
    }

    /** As {@link #wrap(JdkHttpClientBuilder)}, with the wall clock that HTTP dates are read against. */
    static RetryAfterHttpClientBuilder wrap(JdkHttpClientBuilder jdk, Clock clock) {
        Objects.requireNonNull(jdk, "jdk");
        return new RetryAfterHttpClientBuilder(jdk, Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public Duration connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public RetryAfterHttpClientBuilder connectTimeout(Duration timeout) {
        delegate.connectTimeout(timeout);
        return this;
    }

    @Override
    public Duration readTimeout() {
        return delegate.readTimeout();
    }

    @Override
    public RetryAfterHttpClientBuilder readTimeout(Duration timeout) {
        delegate.readTimeout(timeout);
        return this;
    }

    @Override
    public HttpClient build() {
        java.net.http.HttpClient.Builder jdk = delegate.httpClientBuilder() != null
                ? delegate.httpClientBuilder()
                : java.net.http.HttpClient.newBuilder();
        JdkHttpClientBuilder configured = new JdkHttpClientBuilder()
                .httpClientBuilder(new HintingJdkHttpClient.Builder(jdk, clock))
                .connectTimeout(delegate.connectTimeout())
                .readTimeout(delegate.readTimeout());
        return configured.build();
    }
}
