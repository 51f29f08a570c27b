package dev.rebound.ltw.order;

/** Implements the type-level annotated {@link Remote}; always fails, each attempt with a new exception. */
public class RemoteClient implements Remote {

    /** The attempts made. */
    public int calls;

    /** The exception the last attempt threw. */
    public RuntimeException last;

    @Override
    public String call(String prompt) {
        calls++;
        last = new IllegalStateException("attempt " + calls);
        throw last;
    }
}
