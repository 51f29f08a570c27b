package dev.rebound.it.plain.generated;

import dev.rebound.annotations.Retry;

/** A user's class with its own @Retry (javac alone): what the classes generated over it stand for. */
public class RetriedBackend extends PlainBase {
    @Override
    @Retry(attempts = 3, delay = 0)
    public String ask(String q) {
        calls++;
        throw new IllegalStateException("retried down");
    }
}
