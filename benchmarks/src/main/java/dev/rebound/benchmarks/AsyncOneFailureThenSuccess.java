package dev.rebound.benchmarks;

import java.util.concurrent.CompletableFuture;

/** (b, async) The first attempt's future fails with a pre-allocated exception; the retry answers. */
public class AsyncOneFailureThenSuccess extends AsyncContenders {

    private static final IllegalStateException FAILURE = new IllegalStateException("transient");

    @Override
    AsyncModel newPrimary() {
        return new AsyncModel() {
            private boolean fail;

            @Override
            public CompletableFuture<String> chat(String prompt) {
                fail = !fail;
                return fail ? CompletableFuture.failedFuture(FAILURE) : CompletableFuture.completedFuture("answer: " + prompt);
            }
        };
    }
}
