package dev.rebound.it.woven.shapes;

import dev.rebound.annotations.Retry;

/**
 * A user's top-level class whose own name holds {@code $$}, as a container's generated subclass's does, over a
 * base without a policy: ajc wove it, so it is the user's class, its own {@code @Retry} applies and events name it.
 */
public class Dollar$$Shape extends Shapes.Plain implements Shapes.Unannotated {
    private final Failing body = new Failing();

    @Override
    @Retry(attempts = 3, delay = 0)
    public String call(String prompt) {
        return body.fail();
    }

    @Override
    public int calls() {
        return body.calls();
    }
}
