package dev.rebound.it.plain.generated;

import dev.rebound.annotations.CircuitBreaker;

/** An LLM client interface with a breaker; each provider's client is generated at run time, or a JDK proxy. */
public interface GuardedChat {
    @CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 1.0, delay = 60_000)
    String chat(String prompt);
}
