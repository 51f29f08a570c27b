package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;

/** An annotated interface whose implementation calls one of its own policy methods. */
public interface Summarizer {

    @Retry(attempts = 3, delay = 0)
    String chat(String prompt);

    /** Unannotated: calls {@link #chat} on the same instance. */
    String summarize(String text);
}
