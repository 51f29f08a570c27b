package dev.rebound.runtime.langchain4j;

import dev.rebound.runtime.RetryAfter;
import dev.rebound.runtime.ratelimit.RateLimitHeaders;
import dev.rebound.runtime.internal.SeenHeaders;
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
 * {@link RateLimitHeaders}, for the rate limiter of the call (cleared before each request); a streamed
 * response's too, successful or failed, recorded for the call that sent its request (on its thread, in
 * its scope: {@link SeenHeaders#forThisCall}) from the JDK client's thread it arrives on.
 * {@code sendAsync} (streaming) does the same through the response's future: a failed response that
 * says something fails the future with that {@code HttpException}, which langchain4j's JDK client
 * reports to the stream's listener (its providers map it by its root cause, as they map a failed
 * response: a 429 is a {@code RateLimitException} caused by it); one that says nothing is handed back
 * to langchain4j with its body unread. So a streamed attempt that fails before its first token carries
 * its Retry-After, {@code x-should-retry} and quota codes as a synchronous one does, whichever thread
 * reads the response, reports the failure or judges it.
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
     * A failed streamed response: when its headers or its JSON error body say something about retrying,
     * the {@link HintedHttpException} langchain4j would have reported (same status, the whole body as
     * message), carrying the verdict, thrown to fail the response's future; otherwise the response, its
     * body read here and given back to langchain4j unchanged.
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
        ServerVerdict verdict = ServerResponses.verdict(response.statusCode(),
                name -> headers.firstValue(name).orElse(null), text, clock);
        if (verdict != null && body != null) {
            // the hint travels with this failure, to whichever thread langchain4j reports it on
            throw new HintedHttpException(response.statusCode(), new String(body, StandardCharsets.UTF_8), verdict);
        }
        return body == null ? response : new BufferedResponse<>(response, replaced);
    }

    /**
     * The response's future, failed with a {@link HintedHttpException} when the response failed and
     * said something about retrying ({@link #recordFailure}): langchain4j's JDK client reports the
     * failure of a future to the stream's listener as it reports a failed response (its providers map
     * both by the root cause: a 429 is a {@code RateLimitException} caused by this exception).
     */
    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
            HttpResponse.BodyHandler<T> handler) {
        SeenHeaders.Recorder call = startedAsync();
        return delegate.sendAsync(request, handler).whenComplete(HintingJdkHttpClient::failedWithoutResponse)
                .thenApply(response -> recorded(response, call));
    }

    /**
     * On the thread that sends a streamed request (the call's): forgets an earlier response's rate-limit
     * headers, as {@link #send} does, and names the call the response's headers are for: they arrive on
     * the JDK client's thread, and are recorded for this call whichever thread reads them.
     */
    private static SeenHeaders.Recorder startedAsync() {
        RateLimitHeaders.clear();
        return SeenHeaders.forThisCall();
    }

    /**
     * A request that got no response (a refused or dropped connection) has no hint: a wait suggested
     * on this thread ({@link RetryAfter#suggest}) is forgotten before langchain4j reports the failure here.
     */
    private static void failedWithoutResponse(Object response, Throwable failure) {
        if (failure != null) {
            RetryAfter.clear();
        }
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
            HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
        SeenHeaders.Recorder call = startedAsync();
        return delegate.sendAsync(request, handler, pushPromiseHandler)
                .whenComplete(HintingJdkHttpClient::failedWithoutResponse)
                .thenApply(response -> recorded(response, call));
    }

    /** A streamed response: its rate-limit headers recorded for its call, successful or failed, as {@link #send} does. */
    private <T> HttpResponse<T> recorded(HttpResponse<T> response, SeenHeaders.Recorder call) {
        RetryAfter.clear();
        HttpHeaders headers = response.headers();
        call.record(RateLimitHeaders.parse(name -> headers.firstValue(name).orElse(null)));
        return response.statusCode() < 400 ? response : recordFailure(response);
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
