package dev.rebound.it.plain.shapes;

/**
 * Stands for an abstract class from a library jar (compiled by javac alone, never woven): it carries
 * no policy and provides the public method a woven subclass inherits.
 */
public abstract class LibraryClient {
    public final IllegalStateException down = new IllegalStateException("down");
    public int calls;

    public String chat(String prompt) {
        calls++;
        throw down;
    }

    protected abstract String endpoint();
}
