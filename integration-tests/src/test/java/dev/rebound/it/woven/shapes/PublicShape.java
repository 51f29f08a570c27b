package dev.rebound.it.woven.shapes;

/** A public top-level class. */
public class PublicShape implements Flaky {
    private final Failing body = new Failing();

    @Override
    public String call(String prompt) {
        return body.fail();
    }

    @Override
    public int calls() {
        return body.calls();
    }
}
