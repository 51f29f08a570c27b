package dev.rebound.ltw.generated;

import dev.rebound.annotations.Retry;

/** An interface whose policy is out of range; a generator implements it (Micronaut's declarative client). */
@SuppressWarnings("rebound")
public interface OutOfRangeChat {
    @Retry(attempts = 101, delay = 0)
    String ask(String q);
}
