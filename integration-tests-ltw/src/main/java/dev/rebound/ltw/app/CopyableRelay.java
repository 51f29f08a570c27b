package dev.rebound.ltw.app;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;

/** Compiled by javac alone, woven by the agent: a class whose instances hand out copies of themselves. */
public class CopyableRelay implements Cloneable {

    @Retry(attempts = 3, delay = 10, jitter = false)
    public String relay(String prompt) {
        return FakeLlm.complete("relay", prompt);
    }

    /** A copy of this instance ({@code clone()}): of Guice's subclass, for an instance Guice made. */
    public CopyableRelay copy() {
        try {
            return (CopyableRelay) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }
}
