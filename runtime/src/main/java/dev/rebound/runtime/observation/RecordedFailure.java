package dev.rebound.runtime.observation;

/**
 * What an observation is told about a failure: only its class name, as the message, and no stack
 * trace, cause or suppressed exceptions. Tracing bridges record an error's message and stack trace
 * (OpenTelemetry: the span's status description and an {@code exception} event); the real
 * exception's message may hold a prompt, an answer or a key, and its stack costs kilobytes a span.
 */
public final class RecordedFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param failureClass the failure's class name, as {@code java.io.IOException} */
    public RecordedFailure(String failureClass) {
        super(failureClass, null, false, false);
    }
}
