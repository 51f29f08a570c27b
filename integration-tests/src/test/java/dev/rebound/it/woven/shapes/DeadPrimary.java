package dev.rebound.it.woven.shapes;

/** Always fails; woven by ajc. */
public class DeadPrimary implements Answers {
    public final Failing body = new Failing();

    @Override
    public String answer(String question) {
        return body.fail();
    }
}
