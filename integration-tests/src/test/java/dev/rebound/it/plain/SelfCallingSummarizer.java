package dev.rebound.it.plain;

import java.util.ArrayList;
import java.util.List;

/** Fails its first two calls of {@code chat}; {@code summarize} calls {@code chat} on itself. Not woven. */
public class SelfCallingSummarizer implements Summarizer {

    /** The prompts {@code chat} was called with, in order. */
    public final List<String> calls = new ArrayList<>();

    @Override
    public String chat(String prompt) {
        calls.add(prompt);
        if (calls.size() < 3) {
            throw new IllegalStateException("down " + calls.size());
        }
        return "ok: " + prompt;
    }

    @Override
    public String summarize(String text) {
        return chat("summarize " + text);
    }
}
