package dev.rebound.runtime.langchain4j;

import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.internal.RetryAfterHeaders;
import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import dev.rebound.runtime.internal.ServerResponses;
import dev.rebound.runtime.internal.ServerVerdict;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A JDK {@link HttpClient} under langchain4j's {@code JdkHttpClient} that reads what each failed
 * response says about retrying (its headers and its JSON error body, see {@link ServerResponses})
 * where the response is still whole: langchain4j turns a failed response into an exception without
 * its headers. When the response says something, this throws the {@code HttpException} langchain4j
 * would have thrown, carrying the {@link ServerVerdict}: the hint travels with the failure of that
 * request, never on the thread. It also hands every response's {@code x-ratelimit-*} headers to
 * {@link RateLimitHeaders}, for the rate limiter of the call (cleared before each request).
 * {@code sendAsync} (streaming) cannot throw in langchain4j's place: it hands the Retry-After of a
 * failed response to {@link RetryAfter} on the thread that completes the response, which is where
 * langchain4j then reports the failure to the stream's handler, so a streamed attempt that fails
 * before its first token reads its hint as a synchronous one does.
 */
final class HintingJdkHttpClient extends HttpClient {

    private final HttpClient delegate;
    private final Clock clock;

    HintingJdkHttpClient(HttpClient delegate, Clock clock) {
        this.delegate = delegate;
        this.clock = clock;
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        RetryAfter.clear();
        RateLimitHeaders.clear();
        HttpResponse<T> response = delegate.send(request, handler);
        HttpHeaders headers = response.headers();
        RateLimitHeaders.record(RateLimitHeaders.parse(name -> headers.firstValue(name).orElse(null)));
        int status = response.statusCode();
        if (status >= 400) {
            Object raw = response.body();
            String body = raw instanceof byte[] ? new String((byte[]) raw, StandardCharsets.UTF_8)
                    : raw instanceof String ? (String) raw : null;
            ServerVerdict verdict = ServerResponses.verdict(status, name -> headers.firstValue(name).orElse(null),
                    body, clock);
            if (verdict != null && body != null) {
                throw new HintedHttpException(status, body, verdict); // the hint travels with this failure
            }
        }
        return response;
    }

    /** A failed response's Retry-After on this thread, for a streamed attempt (see the class comment). */
    static void record(int status, HttpHeaders headers, Clock clock) {
        if (status < 400) {
            return; // cleared before the request
        }
        long hint = RetryAfterHeaders.hintNanos(status, name -> headers.firstValue(name).orElse(null), clock);
        if (hint > 0) {
            RetryAfter.suggest(Duration.ofNanos(hint));
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
            HttpResponse.BodyHandler<T> handler) {
        return delegate.sendAsync(request, handler).whenComplete(HintingJdkHttpClient::failedWithoutResponse)
                .thenApply(this::recorded);
    }

    /**
     * A request that got no response (a refused or dropped connection) has no hint: whatever an earlier
     * response left on this thread is forgotten before langchain4j reports the failure here.
     */
    private static void failedWithoutResponse(Object response, Throwable failure) {
        if (failure != null) {
            RetryAfter.clear();
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
            HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
        return delegate.sendAsync(request, handler, pushPromiseHandler)
                .whenComplete(HintingJdkHttpClient::failedWithoutResponse).thenApply(this::recorded);
    }

    private <T> HttpResponse<T> recorded(HttpResponse<T> response) {
        RetryAfter.clear();
        record(response.statusCode(), response.headers(), clock);
        return response;
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

    @Override
    public WebSocket.Builder newWebSocketBuilder() {
        return delegate.newWebSocketBuilder();
    }

    /** A JDK client builder whose {@code build()} wraps the client it builds. */
    static final class Builder implements HttpClient.Builder {
        private final HttpClient.Builder delegate;
        private final Clock clock;

        Builder(HttpClient.Builder delegate, Clock clock) {
            this.delegate = delegate;
            this.clock = clock;
        }

        @Override
        public Builder cookieHandler(CookieHandler cookieHandler) {
            delegate.cookieHandler(cookieHandler);
            return this;
        }

        @Override
        public Builder connectTimeout(Duration duration) {
            delegate.connectTimeout(duration);
            return this;
        }

        @Override
        public Builder sslContext(SSLContext sslContext) {
            delegate.sslContext(sslContext);
            return this;
        }

        @Override
        public Builder sslParameters(SSLParameters sslParameters) {
            delegate.sslParameters(sslParameters);
            return this;
        }

        @Override
        public Builder executor(Executor executor) {
            delegate.executor(executor);
            return this;
        }

        @Override
        public Builder followRedirects(Redirect policy) {
            delegate.followRedirects(policy);
            return this;
        }

        @Override
        public Builder version(Version version) {
            delegate.version(version);
            return this;
        }

        @Override
        public Builder priority(int priority) {
            delegate.priority(priority);
            return this;
        }

        @Override
        public Builder proxy(ProxySelector proxySelector) {
            delegate.proxy(proxySelector);
            return this;
        }

        @Override
        public Builder authenticator(Authenticator authenticator) {
            delegate.authenticator(authenticator);
            return this;
        }

        @Override
        public HttpClient build() {
            return new HintingJdkHttpClient(delegate.build(), clock);
        }
    }
}
