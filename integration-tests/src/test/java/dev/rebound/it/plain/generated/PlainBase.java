package dev.rebound.it.plain.generated;

/** A base class without policy (javac). */
public class PlainBase implements Asker {
    protected int calls;

    @Override
    public String ask(String q) {
        return "base: " + q;
    }

    @Override
    public int calls() {
        return calls;
    }
}
