package dev.rebound.ltw.generated;

import dev.rebound.annotations.Retry;

/** An application's class with a policy, woven by the agent; a library generates subclasses of it. */
public class Copier {
    public int calls;

    @Retry(attempts = 3, delay = 0)
    public String ask(String q) {
        calls++;
        throw new IllegalStateException("copier down");
    }
}
