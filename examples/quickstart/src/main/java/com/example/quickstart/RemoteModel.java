// docs:quickstart-primary
package com.example.quickstart;

import java.io.UncheckedIOException;
import java.net.ConnectException;

/** The primary: a remote model that is down today. */
public class RemoteModel implements ChatClient {

    @Override
    public String chat(String prompt) {
        throw new UncheckedIOException(new ConnectException("model server refused the connection"));
    }
}
// /docs:quickstart-primary
