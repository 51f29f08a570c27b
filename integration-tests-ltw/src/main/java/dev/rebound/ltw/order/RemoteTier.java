package dev.rebound.ltw.order;

/**
 * An enum implementing the type-level annotated {@link Remote}; always fails, each attempt with a new
 * exception. LoadOrderTest loads it before the interface too.
 */
public enum RemoteTier implements Remote {
    GOLD;

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
