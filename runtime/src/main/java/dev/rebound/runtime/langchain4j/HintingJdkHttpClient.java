package dev.rebound.runtime.langchain4j;

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
 * request, never on the thread. Only the synchronous {@code send} reads; {@code sendAsync}
 * (streaming) runs elsewhere.
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
        HttpResponse<T> response = delegate.send(request, handler);
        int status = response.statusCode();
        if (status >= 400) {
            HttpHeaders headers = response.headers();
            Object raw = response.body();
            String body = raw instanceof byte[] ? new String((byte[]) raw, StandardCharsets.UTF_8)
                    : raw instanceof String ? (String) raw : null;
            ServerVerdict verdict = ServerResponses.verdict(status, name -> headers.firstValue(name).orElse(null),
                    body, clock);
            if (verdict != null && body != null) {
                throw new HintedHttpException(status, body, verdict);
            }
        }
        return response;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
            HttpResponse.BodyHandler<T> handler) {
        return delegate.sendAsync(request, handler);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
            HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
        return delegate.sendAsync(request, handler, pushPromiseHandler);
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
