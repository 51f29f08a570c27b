package dev.rebound.it.plain.generated;

import dev.rebound.annotations.Retry;

/** A user's top-level class named with $$, compiled by javac alone, with its own @Retry: the user's own class. */
public class Odd$$Plain extends PlainBase {
    @Override
    @Retry(attempts = 3, delay = 0)
    public String ask(String q) {
        calls++;
        throw new IllegalStateException("odd down");
    }
}
