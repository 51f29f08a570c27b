package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Compiled by javac alone, for Guice's interception: two methods, each under its own {@code @Retry}, each failing
 * every other request it receives (the first included, counted over every instance) and answering the next. An
 * application's interceptor in front of it pings this very instance before a call reaches it.
 */
public class PingingAsker implements Asker {

    /** Every request any instance received, its twins' included, in order: the prompt, or "ping". */
    public static final List<String> REQUESTS = new CopyOnWriteArrayList<>();

    @Override
    @Retry(attempts = 2, delay = 0)
    public String answer(String prompt) throws IOException {
        return answered(prompt);
    }

    @Retry(attempts = 2, delay = 0)
    public String ping() {
        return pinged();
    }

    /** Records {@code prompt}; fails an odd request of the answers. */
    public static String answered(String prompt) throws IOException {
        if (odd(prompt)) {
            throw new IOException("asker hiccup");
        }
        return "answer";
    }

    /** Records a ping; fails an odd one. */
    public static String pinged() {
        if (odd("ping")) {
            throw new IllegalStateException("ping hiccup");
        }
        return "pong";
    }

    /** Records {@code request}: whether it is an odd one of its kind (a ping, an answer). */
    private static boolean odd(String request) {
        REQUESTS.add(request);
        return REQUESTS.stream().filter(r -> r.equals("ping") == request.equals("ping")).count() % 2 == 1;
    }
}
