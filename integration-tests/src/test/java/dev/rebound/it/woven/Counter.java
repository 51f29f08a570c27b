package dev.rebound.it.woven;

import dev.rebound.annotations.Retry;

/** Methods whose bodies allocate nothing, to measure what the woven advice allocates. */
public class Counter {

    private long count;

    /** Carries no annotation. */
    public long next() {
        return ++count;
    }

    /** Annotated, succeeds on the first attempt. */
    @Retry(attempts = 3)
    public long nextResilient() {
        return ++count;
    }

    /** Annotated, with a primitive argument. */
    @Retry(attempts = 3)
    public long add(long n) {
        count += n;
        return count;
    }
}
