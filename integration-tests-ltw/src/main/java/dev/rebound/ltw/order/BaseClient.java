package dev.rebound.ltw.order;

/** Extends the type-level annotated {@link RemoteBase}; always fails, each attempt with a new exception. */
public class BaseClient extends RemoteBase {

    /** The attempts made. */
    public int calls;

    /** The exception the last attempt threw. */
    public RuntimeException last;

    public String call(String prompt) {
        calls++;
        last = new IllegalStateException("attempt " + calls);
        throw last;
    }
}
