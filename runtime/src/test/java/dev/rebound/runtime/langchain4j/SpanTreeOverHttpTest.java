package dev.rebound.runtime.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.rebound.modelserver.Fault;
import dev.rebound.modelserver.ModelServer;
import dev.rebound.modelserver.ModelServerExtension;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import dev.rebound.runtime.observation.ObservationTracer;
import dev.rebound.runtime.observation.OtelTracing;
import dev.rebound.runtime.testing.VirtualTimeSource;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's retry-and-fallback example traced by a real tracer (the OpenTelemetry SDK through
 * Micrometer Tracing's bridge) over real HTTP: gpt-4 answers 503, then 429 with Retry-After, then 503;
 * the chain falls back to gpt-3.5-turbo, which answers. Under each attempt: langchain4j's chat
 * observation (made by a {@link ChatModelListener} on the Observation API, as langchain4j's Micrometer
 * module does) and the HTTP client span (made from the current OpenTelemetry context, as
 * OpenTelemetry's HTTP client instrumentation does).
 */
class SpanTreeOverHttpTest {

    @RegisterExtension
    static final ModelServerExtension models = new ModelServerExtension();
    static final ModelServer server = models.server();
    final OtelTracing tracing = new OtelTracing();
    final VirtualTimeSource clock = new VirtualTimeSource();

    @AfterEach
    void reset() {
        tracing.close();
    }

    @Test
    void theRetryAndFallbackExampleIsOneTraceWithEveryAttemptAndTheHttpRequestsUnderTheirAttempt() {
        server.script("gpt-4", Fault.unavailable(), Fault.rateLimited(Duration.ofMillis(300)), Fault.unavailable());
        ObservationRegistry observationRegistry = tracing.registry();
        // docs:observation-settings
        ReboundSettings settings = ReboundSettings.builder()
                .tracer(new ObservationTracer(observationRegistry))
                // docs-omit
                .logging(false).timeSource(clock)
                // /docs-omit
                .build();
        // /docs:observation-settings
        ChatModel gpt35 = Rebound.wrap(ChatModel.class, model("gpt-3.5-turbo")).named("gpt-3.5-turbo")
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build())
                .settings(settings).build();
        ChatModel llm = Rebound.wrap(ChatModel.class, model("gpt-4")).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ofMillis(100)).multiplier(2.0)
                        .maxDelay(Duration.ofSeconds(2)).jitter(false).build())
                .withFallbacks(gpt35).settings(settings).build();

        String answer = llm.chat("What is a 429? sk-SECRET-in-the-prompt");

        assertThat(answer).startsWith("gpt-3.5-turbo answers");
        assertThat(tracing.tree()).isEqualTo(expectedTree());
        List<SpanData> spans = tracing.spans();
        assertThat(spans).hasSize(16).extracting(SpanData::getTraceId).containsOnly(spans.get(0).getTraceId());
        assertThat(spans.get(0).getParentSpanContext().isValid()).isFalse();
        assertThat(spans).filteredOn(s -> s.getName().equals("POST"))
                .extracting(SpanData::getKind).containsOnly(SpanKind.CLIENT);
        assertThat(spans).allSatisfy(s ->
                assertThat(OtelTracing.everyString(s)).noneMatch(v -> v != null && v.contains("SECRET")));
        assertThat(server.requests("gpt-4")).isEqualTo(3);
        assertThat(server.requests("gpt-3.5-turbo")).isEqualTo(1);
    }

    /** The tree in span-tree.txt, between its docs markers (the guide shows the same lines). */
    private static String expectedTree() {
        try (java.io.InputStream in = SpanTreeOverHttpTest.class.getResourceAsStream("span-tree.txt")) {
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String region = "span-tree"; // spelled apart: this file must not hold a second region of that name
            String from = "<!-- docs:" + region + " -->\n";
            return text.substring(text.indexOf(from) + from.length(), text.indexOf("<!-- /docs:" + region + " -->"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A real langchain4j model at the embedded server, observed as langchain4j's Micrometer module does. */
    private OpenAiChatModel model(String name) {
        return OpenAiChatModel.builder()
                .baseUrl(server.baseUrl())
                .apiKey("sk-SECRET-key")
                .modelName(name)
                .timeout(LoopbackModels.TIMEOUT)
                .maxRetries(0)
                .httpClientBuilder(new ClientSpans(RetryAfterHttpClientBuilder.create(), tracing.otel()))
                .listeners(List.of(new ChatObservations(tracing.registry())))
                .build();
    }

    /** An observation per chat request, current while langchain4j sends it. */
    private static final class ChatObservations implements ChatModelListener {
        private final ObservationRegistry registry;

        ChatObservations(ObservationRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void onRequest(ChatModelRequestContext ctx) {
            String model = ctx.chatRequest().parameters().modelName();
            Observation o = Observation.createNotStarted("gen_ai.client.operation", registry)
                    .contextualName("chat " + model).lowCardinalityKeyValue("gen_ai.request.model", model).start();
            ctx.attributes().put(Observation.class, o);
            ctx.attributes().put(Observation.Scope.class, o.openScope());
        }

        @Override
        public void onResponse(ChatModelResponseContext ctx) {
            end(ctx.attributes());
        }

        @Override
        public void onError(ChatModelErrorContext ctx) {
            end(ctx.attributes());
        }

        private static void end(java.util.Map<Object, Object> attributes) {
            ((Observation.Scope) attributes.get(Observation.Scope.class)).close();
            ((Observation) attributes.get(Observation.class)).stop();
        }
    }

    /** A CLIENT span per HTTP request, a child of the current OpenTelemetry context. */
    private static final class ClientSpans implements HttpClientBuilder {
        private final HttpClientBuilder delegate;
        private final Tracer tracer;

        ClientSpans(HttpClientBuilder delegate, Tracer tracer) {
            this.delegate = delegate;
            this.tracer = tracer;
        }

        @Override
        public Duration connectTimeout() {
            return delegate.connectTimeout();
        }

        @Override
        public HttpClientBuilder connectTimeout(Duration timeout) {
            delegate.connectTimeout(timeout);
            return this;
        }

        @Override
        public Duration readTimeout() {
            return delegate.readTimeout();
        }

        @Override
        public HttpClientBuilder readTimeout(Duration timeout) {
            delegate.readTimeout(timeout);
            return this;
        }

        @Override
        public HttpClient build() {
            HttpClient client = delegate.build();
            return new HttpClient() {
                @Override
                public SuccessfulHttpResponse execute(HttpRequest request) {
                    Span span = tracer.spanBuilder(request.method().name()).setSpanKind(SpanKind.CLIENT)
                            .setAttribute("http.request.method", request.method().name()).startSpan();
                    try (Scope ignored = span.makeCurrent()) {
                        SuccessfulHttpResponse response = client.execute(request);
                        span.setAttribute("http.response.status_code", (long) response.statusCode());
                        return response;
                    } catch (HttpException e) {
                        span.setAttribute("http.response.status_code", (long) e.statusCode());
                        throw e;
                    } finally {
                        span.end();
                    }
                }

                @Override
                public void execute(HttpRequest request, ServerSentEventParser parser,
                        ServerSentEventListener listener) {
                    client.execute(request, parser, listener);
                }
            };
        }
    }
}
