package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.woven.WovenReplier;
import java.io.IOException;

/**
 * Compiled by javac alone, for {@code Rebound.wrap(Replier.class, ...)}, which resolves {@code Replier.reply(Object)}
 * (javac's bridge carries this method's annotations): always down, after its 1 attempt it falls back to the woven
 * {@link WovenReplier}.
 */
public class PlainReplyingPrimary implements Replier<String> {

    @Override
    @Retry(attempts = 1)
    @Fallback(to = WovenReplier.class)
    public String reply(String question) throws IOException {
        throw new IOException("primary down");
    }
}
