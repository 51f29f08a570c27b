package dev.rebound.runtime.spi;

/**
 * A user's top-level class named with a bare $$ (javac's alone, no Rebound annotation of its own) that implements an
 * interface and extends Object: read as the class above it would be, but never named by its interface, which only a
 * generator's own mark or a synthetic class earns.
 */
public class Own$$Impl implements GeneratedSubclassesTest.ReviewChat {
    int calls;

    @Override
    public String review(String draft) {
        calls++;
        throw new IllegalStateException("down");
    }
}
