package dev.rebound.benchmarks;

/**
 * The failure of paths (b) and (c): allocated once, without a stack trace or suppression, so the
 * figures show what the retry machinery costs and not what building an exception costs.
 */
final class TransientFailure extends RuntimeException {

    static final TransientFailure INSTANCE = new TransientFailure();

    private static final long serialVersionUID = 1L;

    private TransientFailure() {
        super("transient", null, false, false);
    }
}
