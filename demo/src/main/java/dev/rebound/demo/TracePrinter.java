package dev.rebound.demo;

import dev.rebound.runtime.observation.ObservationTracer;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The call's trace as a tracing back end would show it: Rebound's observations go through Micrometer
 * Tracing's OpenTelemetry bridge into the OpenTelemetry SDK, whose exporter here keeps the spans so
 * they can be printed as an indented tree, children in start order, each with its duration. Every
 * attribute is printed (without the {@code rebound.} prefix) but the method and the target, which
 * the span names say, and failure classes by simple name.
 */
final class TracePrinter implements AutoCloseable {

    private final List<SpanData> spans = new ArrayList<>();
    private final SdkTracerProvider provider;
    private final ObservationRegistry registry;

    TracePrinter() {
        SpanExporter exporter = new Keep();
        // docs:observation-otel-bridge
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        OtelTracer tracer = new OtelTracer(provider.get("my-service"), current, event -> { },
                new OtelBaggageManager(current, List.of(), List.of()));
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
        // /docs:observation-otel-bridge
        this.provider = provider;
        this.registry = registry;
    }

    /** What the demo's settings trace with. */
    ObservationTracer tracer() {
        return new ObservationTracer(registry);
    }

    /** Prints the spans ended so far as a tree; returns how many there were. */
    synchronized int print(PrintStream out) {
        List<SpanData> all = new ArrayList<>(spans);
        all.sort(Comparator.comparingLong(SpanData::getStartEpochNanos));
        for (SpanData s : all) {
            if (all.stream().noneMatch(p -> p.getSpanId().equals(s.getParentSpanId()))) {
                print(out, s, all, 1);
            }
        }
        return all.size();
    }

    private static void print(PrintStream out, SpanData s, List<SpanData> all, int depth) {
        StringBuilder line = new StringBuilder("  ".repeat(depth)).append(s.getName());
        s.getAttributes().forEach((k, v) -> {
            String key = k.getKey();
            if (key.equals(ObservationTracer.METHOD) || key.equals(ObservationTracer.TARGET)) {
                return; // the span's name says it
            }
            String value = String.valueOf(v);
            if (key.equals(ObservationTracer.FAILURE)) {
                value = value.substring(value.lastIndexOf('.') + 1); // the demo's width: the simple class name
            }
            line.append(' ').append(key.replace("rebound.", "")).append('=').append(value);
        });
        if (s.getStatus().getStatusCode() == StatusCode.ERROR) {
            line.append(" [error]");
        }
        line.append(String.format(Locale.ROOT, " (%d ms)",
                TimeUnit.NANOSECONDS.toMillis(s.getEndEpochNanos() - s.getStartEpochNanos())));
        out.println(line);
        for (SpanData c : all) {
            if (c.getParentSpanId().equals(s.getSpanId())) {
                print(out, c, all, depth + 1);
            }
        }
    }

    @Override
    public void close() {
        provider.close();
    }

    /** Keeps every ended span. */
    private final class Keep implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            synchronized (TracePrinter.this) {
                spans.addAll(batch);
            }
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
