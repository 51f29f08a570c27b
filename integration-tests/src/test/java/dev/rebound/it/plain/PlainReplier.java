package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import java.io.IOException;

/**
 * Compiled by javac alone, for Guice's interception: {@code Replier<String>}, its own {@code @Retry} on {@code
 * reply(String)}, which javac's bridge {@code reply(Object)} calls. Fails every other request, as {@link
 * PingingAsker#answered}, whose log it shares.
 */
public class PlainReplier implements Replier<String> {

    @Override
    @Retry(attempts = 2, delay = 0)
    public String reply(String question) throws IOException {
        return PingingAsker.answered(question);
    }
}
