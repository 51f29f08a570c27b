package dev.rebound.it.woven.shapes;

/** A package-private top-level class. */
class PackagePrivateShape implements Flaky {
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
