package dev.rebound.it.woven.shapes;

import dev.rebound.annotations.Retry;

/** An annotated contract whose implementations of every class shape always fail: 3 calls expected. */
public interface Flaky {

    @Retry(attempts = 3, delay = 0)
    String call(String prompt);

    /** How many times the implementation's body ran. */
    int calls();
}
