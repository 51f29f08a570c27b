package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Compiled by javac alone, for Guice's interception: its own {@code @Retry}. Asked "audit" (an application's
 * interceptor auditing a call first, on another instance), it answers; asked anything else, it fails every
 * request.
 */
public class AuditedAsker implements Asker {

    /** Every prompt any instance was asked, in order. */
    public static final List<String> PROMPTS = new CopyOnWriteArrayList<>();

    @Override
    @Retry(attempts = 2, delay = 0)
    public String answer(String prompt) throws IOException {
        PROMPTS.add(prompt);
        if (prompt.equals("audit")) {
            return "audited";
        }
        throw new IOException("asker down");
    }
}
