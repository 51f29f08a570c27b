package dev.rebound.benchmarks;

import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.observation.ObservationTracer;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What tracing costs a call ({@code Rebound.wrap}, 3 attempts, one fallback): untraced; traced into a
 * no-op Observation registry (nothing recorded, nothing allocated); traced into the OpenTelemetry SDK
 * through Micrometer Tracing's bridge, every span exported (to an exporter that drops it). Paths: the
 * first attempt answers, or the first attempt fails and the retry answers.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar TracingCost -f 1 -wi 3 -w 1 -i 5 -r 1 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TracingCost {

    private SdkTracerProvider provider;
    private Model untraced;
    private Model noopRegistry;
    private Model otel;
    private Model untracedFailsOnce;
    private Model otelFailsOnce;

    @Setup
    public void build() {
        // an empty composite exporter drops every span: the cost measured is Rebound's and the SDK's
        provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SpanExporter.composite()))
                .build();
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        OtelTracer tracer = new OtelTracer(provider.get("bench"), current, event -> { },
                new OtelBaggageManager(current, List.of(), List.of()));
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));

        ReboundSettings quiet = Contenders.QUIET;
        ReboundSettings traced = quiet.toBuilder().tracer(new ObservationTracer(registry)).build();
        ReboundSettings noop = quiet.toBuilder().tracer(new ObservationTracer(ObservationRegistry.NOOP)).build();
        untraced = wrap(new Subjects.Healthy(), quiet);
        noopRegistry = wrap(new Subjects.Healthy(), noop);
        otel = wrap(new Subjects.Healthy(), traced);
        untracedFailsOnce = wrap(new Subjects.FailsOnce(), quiet);
        otelFailsOnce = wrap(new Subjects.FailsOnce(), traced);
    }

    private static Model wrap(Model primary, ReboundSettings settings) {
        return Rebound.wrap(Model.class, primary).withRetry(Contenders.REBOUND_RETRY)
                .withFallbacks(new Subjects.Backup()).settings(settings).build();
    }

    @TearDown
    public void close() {
        provider.close();
    }

    @Benchmark
    public String happyUntraced() {
        return untraced.chat("ping");
    }

    @Benchmark
    public String happyNoopRegistry() {
        return noopRegistry.chat("ping");
    }

    @Benchmark
    public String happyOtel() {
        return otel.chat("ping");
    }

    @Benchmark
    public String oneFailureUntraced() {
        return untracedFailsOnce.chat("ping");
    }

    @Benchmark
    public String oneFailureOtel() {
        return otelFailsOnce.chat("ping");
    }
}
