package dev.rebound.ltw.app;

import dev.rebound.annotations.Retry;

/** {@code @Retry} on a protected method: ajc would refuse to build it; the agent reports it as it loads. */
public class Misplaced {

    @Retry(attempts = 2)
    protected String hidden() {
        return "hidden";
    }
}
