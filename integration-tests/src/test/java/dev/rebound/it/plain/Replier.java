package dev.rebound.it.plain;

import java.io.IOException;

/** A generic contract: a class that implements {@code Replier<String>} gets a bridge {@code reply(Object)}. */
public interface Replier<T> {
    String reply(T question) throws IOException;
}
