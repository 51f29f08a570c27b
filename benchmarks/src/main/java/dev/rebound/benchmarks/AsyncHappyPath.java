package dev.rebound.benchmarks;

import java.util.concurrent.CompletableFuture;

/** (a, async) The first attempt's future has already succeeded when the method returns it. */
public class AsyncHappyPath extends AsyncContenders {

    @Override
    AsyncModel newPrimary() {
        return prompt -> CompletableFuture.completedFuture("answer: " + prompt);
    }
}
