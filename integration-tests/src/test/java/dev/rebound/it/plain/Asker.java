package dev.rebound.it.plain;

import java.io.IOException;

/** What an enclosing call and its alternative answer ({@link PlainAsker}, and its woven twin). */
public interface Asker {
    String answer(String prompt) throws IOException;
}
