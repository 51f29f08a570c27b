package dev.rebound.runtime.spi;

import dev.rebound.annotations.Retry;

/** A user's top-level class named with a bare $$, compiled by javac alone, carrying its own @Retry: the user's own. */
public class Odd$$Plain extends GeneratedSubclassesTest.Backend {
    @Override
    @Retry(attempts = 3, delay = 0)
    public String chat(String prompt) {
        calls++;
        throw new IllegalStateException("down");
    }
}
