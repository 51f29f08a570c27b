package dev.rebound.ltw.app;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;

/**
 * An application's top-level class whose name holds {@code $$}, as a container's generated subclass's does:
 * compiled by javac alone, woven by the agent, its own {@code @Retry} applies.
 */
public class Relay$$Named {

    @Retry(attempts = 3, delay = 10, jitter = false)
    public String relay(String prompt) {
        return FakeLlm.complete("relay", prompt);
    }
}
