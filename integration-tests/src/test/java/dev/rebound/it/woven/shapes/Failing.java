package dev.rebound.it.woven.shapes;

/** Counts the calls of a body that always fails. */
public final class Failing {

    private int calls;

    public String fail() {
        calls++;
        throw new IllegalStateException("down");
    }

    public int calls() {
        return calls;
    }
}
