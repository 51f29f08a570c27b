package dev.rebound.runtime.observation;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real tracer behind the Observation API: the OpenTelemetry SDK, through Micrometer Tracing's OTel
 * bridge, exporting to memory. Also hands out the SDK's own tracer, for spans made the way
 * OpenTelemetry's HTTP client instrumentation makes them (from the current context).
 */
public final class OtelTracing implements AutoCloseable {

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final Map<String, Integer> startOrder = new ConcurrentHashMap<>();
    private final AtomicInteger started = new AtomicInteger();
    private final SdkTracerProvider provider;
    private final ObservationRegistry registry = ObservationRegistry.create();
    private final Tracer otel;

    public OtelTracing() {
        provider = SdkTracerProvider.builder()
                .addSpanProcessor(new StartOrder())
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        otel = provider.get("rebound-test");
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        OtelTracer tracer = new OtelTracer(otel, current, event -> { },
                new OtelBaggageManager(current, List.of(), List.of()));
        registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
    }

    /** The registry to give {@link ObservationTracer}. */
    public ObservationRegistry registry() {
        return registry;
    }

    /** The SDK's tracer, for spans made from the current OpenTelemetry context. */
    public Tracer otel() {
        return otel;
    }

    /** The span id current on the caller, and what the call made there returned. */
    public record Seen<T>(String onCaller, T returned) {
    }

    /**
     * Runs {@code call} on this thread with a "request" observation in scope and, inside it, an
     * OpenTelemetry span "db" of its own current (as an instrumented client or a user's span makes one):
     * the span id current then, and what {@code call} returned.
     */
    public <T> Seen<T> underASpanInsideAnObservation(java.util.function.Supplier<T> call) {
        io.micrometer.observation.Observation request = io.micrometer.observation.Observation.start("request",
                registry());
        try (io.micrometer.observation.Observation.Scope ignored = request.openScope()) {
            io.opentelemetry.api.trace.Span db = otel().spanBuilder("db").startSpan();
            try (io.opentelemetry.context.Scope current = db.makeCurrent()) {
                return new Seen<>(currentSpanId(), call.get());
            } finally {
                db.end();
            }
        } finally {
            request.stop();
        }
    }

    /** The id of the OpenTelemetry span current on this thread. */
    public static String currentSpanId() {
        return io.opentelemetry.api.trace.Span.current().getSpanContext().getSpanId();
    }

    /** The spans ended so far, in the order they started. */
    public List<SpanData> spans() {
        List<SpanData> spans = new ArrayList<>(exporter.getFinishedSpanItems());
        spans.sort(Comparator.comparing(s -> startOrder.get(s.getSpanId())));
        return spans;
    }

    public void reset() {
        exporter.reset();
    }

    /**
     * The ended spans as an indented tree, children under their parent in start order, each line
     * {@code name [attributes sorted by key] status}; a span whose parent did not end here is a root.
     */
    public String tree() {
        List<SpanData> spans = spans();
        StringBuilder sb = new StringBuilder();
        for (SpanData s : spans) {
            if (spans.stream().noneMatch(p -> p.getSpanId().equals(s.getParentSpanId()))) {
                render(s, spans, 0, sb);
            }
        }
        return sb.toString();
    }

    private static void render(SpanData s, List<SpanData> spans, int depth, StringBuilder sb) {
        sb.append("  ".repeat(depth)).append(s.getName());
        Map<String, Object> attributes = new TreeMap<>();
        s.getAttributes().forEach((k, v) -> attributes.put(k.getKey(), v));
        attributes.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        if (s.getStatus().getStatusCode() != io.opentelemetry.api.trace.StatusCode.UNSET) {
            sb.append(" status=").append(s.getStatus().getStatusCode());
        }
        sb.append('\n');
        for (SpanData c : spans) {
            if (c.getParentSpanId().equals(s.getSpanId())) {
                render(c, spans, depth + 1, sb);
            }
        }
    }

    /** Every string a span carries: names, attribute keys and values, events and their attributes, status. */
    public static List<String> everyString(SpanData s) {
        List<String> all = new ArrayList<>();
        all.add(s.getName());
        all.add(s.getStatus().getDescription());
        s.getAttributes().forEach((k, v) -> {
            all.add(k.getKey());
            all.add(String.valueOf(v));
        });
        for (EventData e : s.getEvents()) {
            all.add(e.getName());
            e.getAttributes().forEach((AttributeKey<?> k, Object v) -> {
                all.add(k.getKey());
                all.add(String.valueOf(v));
            });
        }
        return all;
    }

    @Override
    public void close() {
        provider.close();
    }

    /** Numbers spans as they start. */
    private final class StartOrder implements SpanProcessor {
        @Override
        public void onStart(Context parent, ReadWriteSpan span) {
            startOrder.put(span.getSpanContext().getSpanId(), started.incrementAndGet());
        }

        @Override
        public boolean isStartRequired() {
            return true;
        }

        @Override
        public void onEnd(ReadableSpan span) {
        }

        @Override
        public boolean isEndRequired() {
            return false;
        }
    }
}
