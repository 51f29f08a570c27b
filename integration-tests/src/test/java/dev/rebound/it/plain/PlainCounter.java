package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;

/** {@link dev.rebound.it.woven.Counter}'s policy method, compiled by javac alone: what Guice's interception allocates. */
public class PlainCounter {

    /** The failure of {@link #nextAfterOneFailure}: allocated once, without a stack trace, as a benchmark's. */
    public static final RuntimeException TRANSIENT = new RuntimeException("transient", null, false, false) { };

    private long count;
    private long attempts;

    /** Annotated, succeeds on the first attempt. */
    @Retry(attempts = 3)
    public long nextResilient() {
        return ++count;
    }

    /** Annotated, fails every other attempt: each call's first attempt fails, its retry answers. */
    @Retry(attempts = 3, delay = 0)
    public long nextAfterOneFailure() {
        if ((attempts++ & 1) == 0) {
            throw TRANSIENT;
        }
        return ++count;
    }
}
