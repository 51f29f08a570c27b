package dev.rebound.it.woven;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.plain.PingingAsker;
import dev.rebound.it.plain.Replier;
import java.io.IOException;

/**
 * Woven by ajc, else as {@link dev.rebound.it.plain.PlainReplier}: {@code Replier<String>}, its own {@code @Retry}
 * on {@code reply(String)}. ajc's bridge {@code reply(Object)}, which calls it, carries none of its annotations
 * (javac's carries them all). Fails every other request, as {@link PingingAsker#answered}, whose log it shares.
 */
public class WovenReplier implements Replier<String> {

    @Override
    @Retry(attempts = 2, delay = 0)
    public String reply(String question) throws IOException {
        return PingingAsker.answered(question);
    }

    /** Woven by ajc: always down, after its 1 attempt it falls back to {@link WovenReplier}. */
    public static class Primary implements Replier<String> {

        @Override
        @Retry(attempts = 1)
        @Fallback(to = WovenReplier.class)
        public String reply(String question) throws IOException {
            throw new IOException("primary down");
        }
    }
}
