package dev.rebound.benchmarks;

/** What every contender guards: one call with an argument and an answer, like a chat model's. */
public interface Model {

    String chat(String prompt);
}
