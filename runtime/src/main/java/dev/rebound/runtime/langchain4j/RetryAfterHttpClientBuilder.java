package dev.rebound.runtime.langchain4j;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * langchain4j's JDK HTTP client, made to tell Rebound what each failed response said about retrying:
 * the server's suggested wait ({@code Retry-After}, {@code retry-after-ms}, OpenAI's, Anthropic's and
 * the IETF rate-limit reset fields, Gemini's {@code RetryInfo} in the body), whether the account is out
 * of quota or credit (OpenAI {@code insufficient_quota} and its kin, Azure {@code InsufficientQuota},
 * Anthropic {@code billing_error}, Gemini's per-day quota, HTTP 402), and {@code x-should-retry}. The
 * next retry waits at least the suggested time (a wait beyond maxDelay or past maxDuration ends the
 * retries instead); a quota failure is not retried and goes to the fallbacks (reason
 * {@code quota-exhausted}); {@code x-should-retry: false} ends the retries.
 *
 * <pre>{@code
 * ChatModel gpt4 = OpenAiChatModel.builder()
 *     .apiKey(key).modelName("gpt-4")
 *     .httpClientBuilder(RetryAfterHttpClientBuilder.create())
 *     .maxRetries(0)          // Rebound retries; langchain4j's own retries would multiply requests
 *     .build();
 * }</pre>
 *
 * <p>langchain4j 1.x exceptions carry no headers, so the response is read where it is still whole: in
 * the JDK client under langchain4j's, which then throws the same {@code HttpException} langchain4j
 * would (same status, same body as message) carrying what it read. langchain4j maps it as usual
 * ({@code RateLimitException}, ...) with it as the cause, where the engine finds it: the hint belongs
 * to the failure of that request, never to the thread. Streaming calls ({@code sendAsync}) are read
 * too: a stream's failed response that says something fails the response's future with that same
 * exception, which langchain4j reports to the stream's handler mapped as usual (a 429 is a
 * {@code RateLimitException} caused by it); a stream that fails before its first token waits its
 * {@code Retry-After}, and stops on {@code x-should-retry: false} or a quota code, as a synchronous
 * call does, whichever thread langchain4j reports it on. Error bodies are parsed with Jackson (which
 * langchain4j brings).
 *
 * <p>Every response's {@code x-ratelimit-*} headers, successful or failed, streamed or not, go to the
 * rate limiter of the call that sent the request ({@code @RateLimit}), which lowers its budget to what the
 * provider says is left.
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

    /**
     * As {@link #wrap(JdkHttpClientBuilder)}, with the wall clock that HTTP dates ({@code Retry-After:
     * Wed, 21 Oct 2026 07:28:00 GMT}, Anthropic's reset timestamps) are read against: the wait is the
     * date less this clock's instant, taken when the response arrives. {@link #create()} and
     * {@link #wrap(JdkHttpClientBuilder)} use {@code Clock.systemUTC()}; a test that serves dates pins
     * the clock ({@code Clock.fixed}) so that the wait it asserts does not depend on real time (the wait
     * itself is slept on the settings' {@code TimeSource}).
     *
     * @throws NullPointerException if {@code jdk} or {@code clock} is null
     */
    public static RetryAfterHttpClientBuilder wrap(JdkHttpClientBuilder jdk, Clock clock) {
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
