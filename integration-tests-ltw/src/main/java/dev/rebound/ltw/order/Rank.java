package dev.rebound.ltw.order;

/**
 * An enum implementing the method-level annotated {@link Ranked}, one constant with a class body of its
 * own; always fails, each attempt with a new exception.
 */
public enum Rank implements Ranked {
    LOW,
    HIGH {
        @Override
        public String call(String prompt) {
            return fail();
        }
    };

    /** The attempts made. */
    public int calls;

    /** The exception the last attempt threw. */
    public RuntimeException last;

    @Override
    public String call(String prompt) {
        return fail();
    }

    String fail() {
        calls++;
        last = new IllegalStateException("attempt " + calls);
        throw last;
    }
}
