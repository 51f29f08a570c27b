package dev.rebound.it.plain;

import dev.rebound.it.woven.UnreachedFallbacks;

/**
 * Compiled by javac alone; overrides the woven default method {@link UnreachedFallbacks.SuperAnswers#answer} and
 * calls it with {@code super}: the advice in that body is a door, so the engine marks its call. Always fails.
 */
public class SuperCallingBackup implements UnreachedFallbacks.SuperAnswers {
    @Override
    public String attempt(String prompt) {
        UnreachedFallbacks.CALLS.add("backup");
        throw new IllegalStateException("backup down");
    }

    @Override
    public String answer(String prompt) {
        UnreachedFallbacks.CALLS.add("override");
        return UnreachedFallbacks.SuperAnswers.super.answer(prompt);
    }
}
