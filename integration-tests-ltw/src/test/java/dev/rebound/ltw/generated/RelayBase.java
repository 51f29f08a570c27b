package dev.rebound.ltw.generated;

import dev.rebound.annotations.Retry;

/** A bean class with a policy, woven by the agent, whose {@code relay} runs on a {@link RelaySub} too. */
public class RelayBase {
    public int calls;

    @Retry(attempts = 3, delay = 0)
    public String relay(String q) {
        calls++;
        throw new IllegalStateException("relay down");
    }
}
