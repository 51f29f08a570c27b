package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A target whose first failure is an exception whose {@code getCause()} throws, then answers (every call fails
 * while {@link #down}): what Guice's interception makes of such a failure (guice.md).
 */
public class BrokenCauseChat {

    /** An exception class that overrides {@code getCause()} badly. */
    public static final class BrokenCause extends UncheckedIOException {
        public BrokenCause() {
            super(new IOException("down"));
        }

        @Override
        public synchronized IOException getCause() {
            throw new IllegalStateException("getCause broke");
        }
    }

    public final List<String> calls = new ArrayList<>();
    public final BrokenCause failure = new BrokenCause();
    /** Whether every call fails. */
    public boolean down;

    @Retry(attempts = 2, delay = 0, on = UncheckedIOException.class)
    public String chat(String prompt) {
        calls.add(prompt);
        if (calls.size() == 1 || down) {
            throw failure;
        }
        return "answer: " + prompt;
    }
}
