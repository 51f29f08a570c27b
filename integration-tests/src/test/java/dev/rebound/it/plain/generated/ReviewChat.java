package dev.rebound.it.plain.generated;

import dev.rebound.annotations.Retry;

/** An interface that mocks and generated clients stand for, with its own @Retry. */
public interface ReviewChat {
    @Retry(attempts = 2, delay = 0)
    String review(String draft);
}
