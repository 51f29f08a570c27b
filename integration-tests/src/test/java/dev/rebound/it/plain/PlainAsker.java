package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.io.IOException;

/**
 * Compiled by javac alone, for Guice's interception: its own {@code @Retry}. Asked "via x", it asks another
 * instance of its class, which the injector provides, for x; asked anything else, it fails its first request.
 */
public class PlainAsker implements Asker {

    private final Provider<PlainAsker> others;
    public int requests;

    @Inject
    public PlainAsker(Provider<PlainAsker> others) {
        this.others = others;
    }

    @Override
    @Retry(attempts = 2, delay = 0)
    public String answer(String prompt) throws IOException {
        requests++;
        if (prompt.startsWith("via ")) {
            return "relayed " + others.get().answer(prompt.substring(4));
        }
        if (requests == 1) {
            throw new IOException("asker hiccup");
        }
        return "answer";
    }
}
