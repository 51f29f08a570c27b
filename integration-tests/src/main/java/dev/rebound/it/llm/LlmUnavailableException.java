package dev.rebound.it.llm;

/** A transient failure of a fake model (retried by the default classifier). */
public final class LlmUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LlmUnavailableException(String message) {
        super(message);
    }
}
