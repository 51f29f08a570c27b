package dev.rebound.it.woven.shapes;

/** A concrete class without any policy: ajc leaves it unwoven. */
public class ConcreteBase {
    private final Failing body = new Failing();

    public String call(String prompt) {
        return body.fail();
    }

    public int calls() {
        return body.calls();
    }
}
