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

    /**
     * Carries no policy, nested in a class that does: ajc gives it the holder of its per-class aspect
     * (pertypewithin covers the types nested in a matched one), and nothing else.
     */
    public static class Note implements java.io.Serializable {
        public String echo(String s) {
            return s;
        }
    }
}
