package dev.rebound.runtime.langchain4j;

import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import dev.rebound.runtime.internal.ServerResponses;
import dev.rebound.runtime.internal.ServerVerdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * {@code sendAsync} (streaming) cannot throw in langchain4j's place: it reads a failed response's
 * verdict (headers and error body, which it hands back to langchain4j unread) and hands it to the
 * engine on the thread that completes the response ({@link ServerVerdict#handOff}), which is where
 * langchain4j then reports the failure to the stream's handler, so a streamed attempt that fails
 * before its first token reads its Retry-After, {@code x-should-retry} and quota codes as a
 * synchronous one does.
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

    /** Error bodies are short; a longer one is read this far (its verdict is at its start) and kept whole. */
    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    /**
     * A failed streamed response's verdict (its headers and its JSON error body), handed to the engine
     * on this thread, where langchain4j then reports the failure (see the class comment). The body is
     * read here and given back to langchain4j unchanged.
     */
    @SuppressWarnings("unchecked")
    private <T> HttpResponse<T> recordFailure(HttpResponse<T> response) {
        HttpHeaders headers = response.headers();
        byte[] body = null;
        T replaced = response.body();
        if (replaced instanceof InputStream) {
            try (InputStream in = (InputStream) replaced) {
                body = in.readNBytes(ERROR_BODY_LIMIT);
                byte[] rest = in.readAllBytes();
                if (rest.length > 0) {
                    byte[] whole = java.util.Arrays.copyOf(body, body.length + rest.length);
                    System.arraycopy(rest, 0, whole, body.length, rest.length);
                    body = whole;
                }
            } catch (IOException unreadable) {
                body = new byte[0]; // langchain4j would have read nothing either
            }
            replaced = (T) new ByteArrayInputStream(body);
        }
        String text = body == null ? null
                : new String(body, 0, Math.min(body.length, ERROR_BODY_LIMIT), StandardCharsets.UTF_8);
        ServerVerdict.handOff(ServerResponses.verdict(response.statusCode(),
                name -> headers.firstValue(name).orElse(null), text, clock));
        return body == null ? response : new BufferedResponse<>(response, replaced);
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
            ServerVerdict.forgetHandedOff();
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
        if (response.statusCode() < 400) {
            ServerVerdict.forgetHandedOff();
            return response;
        }
        return recordFailure(response);
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
