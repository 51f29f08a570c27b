package dev.rebound.it.woven.shapes;

import java.io.Serializable;

/**
 * Compiled by ajc with rebound-weaver: an interface without any policy (its default methods get advice behind an
 * {@code instanceof Woven} test, for a class with a policy to run them), and the classes nested in it, which
 * carry none either and must come out unwoven.
 */
public interface InterfaceNoPolicy {

    String name();

    /** A default method, whose anonymous class is {@code InterfaceNoPolicy$1}. */
    default Runnable task() {
        return new Runnable() {
            @Override
            public void run() {
            }
        };
    }

    /** Serializable without its own serialVersionUID: the computed one must be javac's. */
    class Note implements Serializable {
        public String echo(String s) {
            return s;
        }
    }
}
