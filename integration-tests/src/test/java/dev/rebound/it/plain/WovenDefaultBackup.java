package dev.rebound.it.plain;

import dev.rebound.it.woven.UnreachedFallbacks;

/**
 * Compiled by javac alone, and runs the woven default method {@link UnreachedFallbacks.Answers#answer}: the advice
 * in that body is a door, so the engine marks its call. Always fails.
 */
public class WovenDefaultBackup implements UnreachedFallbacks.Answers {
    @Override
    public String attempt(String prompt) {
        UnreachedFallbacks.CALLS.add("backup");
        throw new IllegalStateException("backup down");
    }
}
