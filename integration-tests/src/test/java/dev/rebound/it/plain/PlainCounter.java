package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;

/** Not woven: for measuring what Guice interception costs, with and without a Rebound policy. */
public class PlainCounter {

    private long count;

    @Retry(attempts = 3)
    public long nextResilient() {
        return ++count;
    }

    /** Unannotated: a no-op interceptor of the test's own is put here, for the baseline. */
    public long nextPlain() {
        return ++count;
    }
}
