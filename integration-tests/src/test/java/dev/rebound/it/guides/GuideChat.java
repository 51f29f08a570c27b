package dev.rebound.it.guides;

/** The chat interface of the guides' examples. */
public interface GuideChat {
    String chat(String prompt);
}
