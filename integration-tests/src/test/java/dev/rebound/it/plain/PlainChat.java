package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/** An annotated interface whose implementations are NOT woven: Guice alone makes them resilient. */
public interface PlainChat {

    @Retry(attempts = 3, delay = 100, jitter = false)
    @Fallback(to = PlainGpt35.class)
    String chat(String prompt);

    /** Unannotated: never intercepted. */
    String model();
}
