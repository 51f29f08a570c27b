package dev.rebound.it.quickstart;

import java.io.UncheckedIOException;
import java.net.ConnectException;

/** The quickstart's primary, woven: a remote model that is down today. */
public class RemoteModel implements ChatClient {
    @Override
    public String chat(String prompt) {
        throw new UncheckedIOException(new ConnectException("model server refused the connection"));
    }
}
