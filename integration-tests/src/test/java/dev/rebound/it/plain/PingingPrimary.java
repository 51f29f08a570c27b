package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import java.io.IOException;

/**
 * Compiled by javac alone, for Guice's interception: always down, after its 1 attempt it falls back to {@link
 * PingingAsker}.
 */
public class PingingPrimary implements Asker {

    @Override
    @Retry(attempts = 1)
    @Fallback(to = PingingAsker.class)
    public String answer(String prompt) throws IOException {
        throw new IOException("primary down");
    }
}
