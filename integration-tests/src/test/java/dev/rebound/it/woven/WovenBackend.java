package dev.rebound.it.woven;

import dev.rebound.annotations.Retry;
import dev.rebound.it.plain.generated.Asker;

/** A woven class with its own @Retry, that generators subclass (GeneratedSubclassDoorsTest). */
public class WovenBackend implements Asker {
    protected int calls;

    @Override
    @Retry(attempts = 3, delay = 0)
    public String ask(String q) {
        calls++;
        throw new IllegalStateException("woven down");
    }

    @Override
    public int calls() {
        return calls;
    }
}
