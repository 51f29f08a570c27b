package dev.rebound.runtime.langchain4j;

/**
 * An application's class holding a self-retrying model (given by the test, so that this class itself
 * calls no langchain4j code), top-level so that a test can load it alone in a loader of its own
 * ({@code SelfRetryingFieldTest}).
 */
public final class ApplicationDesk {
    private final Object model;

    public ApplicationDesk(Object model) {
        this.model = model;
    }

    @Override
    public String toString() {
        return "ApplicationDesk(" + model + ")";
    }
}
