package dev.rebound.it.plain;

import dev.rebound.annotations.RateLimit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Not woven: Guice alone applies the rate limit, one request a minute and no waiting, to a class the
 * injector constructs and to an instance bound to an annotated interface
 * ({@code GuiceModuleTest.bothWaysInApplyARateLimit}). A key each, so that the two limits stay apart.
 */
public final class PlainRateLimited {

    /** Every body reached, in order. */
    public static final List<String> CALLS = new CopyOnWriteArrayList<>();

    private PlainRateLimited() {
    }

    public interface Constructed {
        @RateLimit(key = "guice-constructed", requestsPerMinute = 1, maxDelay = 0)
        String chat(String prompt);
    }

    public static class ConstructedChat implements Constructed {
        @Override
        public String chat(String prompt) {
            CALLS.add("constructed");
            return "constructed: " + prompt;
        }
    }

    public interface Provided {
        @RateLimit(key = "guice-provided", requestsPerMinute = 1, maxDelay = 0)
        String chat(String prompt);
    }
}
