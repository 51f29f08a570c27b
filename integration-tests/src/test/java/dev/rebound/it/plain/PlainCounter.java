package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;

/** {@link dev.rebound.it.woven.Counter}'s policy method, compiled by javac alone: what Guice's interception allocates. */
public class PlainCounter {

    private long count;

    /** Annotated, succeeds on the first attempt. */
    @Retry(attempts = 3)
    public long nextResilient() {
        return ++count;
    }
}
