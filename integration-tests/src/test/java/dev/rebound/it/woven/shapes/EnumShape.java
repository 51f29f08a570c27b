package dev.rebound.it.woven.shapes;

/**
 * An enum implementing the annotated contract, one constant with a class body of its own: AspectJ adds no
 * interface to an enum, yet each constant gets the policy (3 calls of {@link Flaky#call} per call).
 */
public enum EnumShape implements Flaky {
    PLAIN,
    OWN_BODY {
        @Override
        public String call(String prompt) {
            return body.fail();
        }
    };

    final Failing body = new Failing();

    @Override
    public String call(String prompt) {
        return body.fail();
    }

    @Override
    public int calls() {
        return body.calls();
    }
}
