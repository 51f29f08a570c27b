package dev.rebound.ltw.app;

import dev.rebound.annotations.Retry;

/**
 * {@code @Retry} on a protected method: ajc and Rebound's annotation processor would refuse to build it
 * (the processor is told not to look here); the agent reports it as the class loads.
 */
@SuppressWarnings("rebound")
public class Misplaced {

    @Retry(attempts = 2)
    protected String hidden() {
        return "hidden";
    }
}
