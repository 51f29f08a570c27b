package dev.rebound.benchmarks;

import dev.rebound.annotations.GenerateWrapper;

/**
 * What every contender guards: one call with an argument and an answer, like a chat model's. The weaver's
 * annotation processor generates the class {@code Rebound.wrap} uses for it ({@code Model$$Rebound}):
 * {@code reboundWrap} runs through it, {@code reboundWrapProxy} through the JDK proxy.
 */
@GenerateWrapper
public interface Model {

    String chat(String prompt);
}
