package dev.rebound.it.woven.shapes;

import java.io.Serializable;

/**
 * Compiled by ajc with rebound-weaver: an abstract class without any policy (its own public methods get advice
 * behind an {@code instanceof Woven} test, for a subclass with a policy to run them), and the classes nested in
 * it, which carry none either and must come out unwoven.
 */
public abstract class AbstractNoPolicy {

    public abstract String name();

    /** Serializable without its own serialVersionUID: the computed one must be javac's. */
    public static class Note implements Serializable {
        public String echo(String s) {
            return s;
        }
    }

    /** An anonymous class in the abstract class's code ({@code AbstractNoPolicy$1}). */
    public static Runnable task() {
        return new Runnable() {
            @Override
            public void run() {
            }
        };
    }
}
