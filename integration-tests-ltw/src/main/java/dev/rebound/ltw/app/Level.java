package dev.rebound.ltw.app;

import dev.rebound.annotations.Retry;

/**
 * A policy on an enum's own type: ajc's build refuses it, the agent fails the enum's initialisation
 * with the same words (the annotation processor is told not to look here).
 */
@SuppressWarnings("rebound")
@Retry(attempts = 2)
public enum Level {
    HIGH;

    public String describe() {
        return "high";
    }
}
