package dev.rebound.it.plain.shapes;

import dev.rebound.annotations.Retry;
import dev.rebound.it.woven.shapes.InheritedShapes;
import java.lang.invoke.MethodHandles;

/**
 * A class with its own annotated method (compiled by javac alone), defined again as a hidden class by a
 * test, as a bytecode generator does ({@code Lookup.defineHiddenClass}): never woven.
 */
public class HiddenGreeter implements InheritedShapes.HiddenGreeting {
    public static int calls;
    public static final IllegalStateException DOWN = new IllegalStateException("down");

    @Override
    @Retry(attempts = 3, delay = 0)
    public String name() {
        calls++;
        throw DOWN;
    }

    /** A lookup with full privilege in this package, as a bytecode generator holds one. */
    public static MethodHandles.Lookup lookup() {
        return MethodHandles.lookup();
    }
}
