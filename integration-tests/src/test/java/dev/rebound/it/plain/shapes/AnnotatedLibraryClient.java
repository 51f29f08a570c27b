package dev.rebound.it.plain.shapes;

import dev.rebound.annotations.Retry;

/**
 * Stands for a concrete class from a library jar that carries a policy but was compiled by javac alone
 * (never woven): the public method a woven subclass inherits.
 */
public class AnnotatedLibraryClient {
    public final IllegalStateException down = new IllegalStateException("down");
    public int calls;

    @Retry(attempts = 3, delay = 0)
    public String chat(String prompt) {
        calls++;
        throw down;
    }
}
