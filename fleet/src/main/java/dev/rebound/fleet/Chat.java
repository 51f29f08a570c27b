package dev.rebound.fleet;

/** What each instance calls: one prompt, one answer. */
public interface Chat {
    String chat(String prompt);
}
