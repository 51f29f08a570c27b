package dev.rebound.it.plain.shapes;

import dev.rebound.it.woven.shapes.Failing;

/** A package-private top-level class, constructed by Guice. */
class PackagePrivatePlain implements PlainShapes.Flaky {
    private final Failing body = new Failing();

    @Override
    public String call(String prompt) {
        return body.fail();
    }

    @Override
    public Failing body() {
        return body;
    }
}
