package dev.rebound.ltw.generated;

import dev.rebound.annotations.Retry;

/**
 * A bean class with a policy on a final method, woven by the agent: a client proxy that extends it cannot override
 * that method (ArC leaves a final method alone), so its body runs on the proxy itself.
 */
public class FinalRelay {
    public int calls;

    @Retry(attempts = 3, delay = 0)
    public final String relay(String q) {
        calls++;
        throw new IllegalStateException("final relay down");
    }
}
