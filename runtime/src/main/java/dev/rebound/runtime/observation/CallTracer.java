package dev.rebound.runtime.observation;

/**
 * Traces the calls of resilient methods: one trace per call, with a child per attempt and per
 * fallback switch. Set one with {@code ReboundSettings.builder().tracer(...)}; without one the engine
 * builds nothing and a call that succeeds at once allocates nothing.
 *
 * <p>{@link ObservationTracer} is the implementation over Micrometer's Observation API (and so
 * OpenTelemetry and Brave through Micrometer Tracing's bridges). This interface has no dependency,
 * so the runtime loads without Micrometer on the class path.
 *
 * <pre>{@code
 * ReboundSettings.setGlobal(ReboundSettings.builder()
 *     .tracer(new ObservationTracer(observationRegistry))
 *     .build());
 * }</pre>
 */
@FunctionalInterface
public interface CallTracer {

    /**
     * Starts the trace of one synchronous call of {@code method}, on the calling thread, which the
     * call runs on to its end.
     *
     * @param method the resilient method, as {@code ChatModel.chat(String)}
     * @return the call's trace, never null; {@link CallTrace#NOOP} when nothing is recorded
     */
    CallTrace start(String method);

    /**
     * Starts the trace of one asynchronous call of {@code method} (a CompletionStage or streaming
     * method), on the calling thread; the call goes on, and is told to its trace, on other threads
     * (see {@link CallTrace}). By default {@link #start}: a tracer that puts something in a thread's
     * scope must override this and put nothing there.
     *
     * @param method the resilient method, as {@code ChatModel.chat(String)}
     * @return the call's trace, never null; {@link CallTrace#NOOP} when nothing is recorded
     */
    default CallTrace startAsync(String method) {
        return start(method);
    }
}
