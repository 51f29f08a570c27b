package dev.rebound.it.woven.shapes;

import java.io.Serializable;

/** Compiled by ajc with rebound-weaver but carries no policy anywhere: it must come out unwoven. */
public class NoPolicy implements Serializable {

    public String echo(String s) {
        return s;
    }

    /** An enum without policy either. */
    public enum Kind {
        PLAIN;

        public String echo(String s) {
            return s;
        }
    }
}
