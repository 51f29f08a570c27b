package dev.rebound.it.plain;

import com.google.inject.Inject;
import com.google.inject.name.Named;
import dev.rebound.annotations.RateLimit;
import dev.rebound.it.plain.generated.GuardedChat;

/**
 * A provider's client under a rate limit whose key every provider shares (javac only: Guice intercepts it): a key the
 * settings may come to define otherwise after the class was heard.
 */
public class RateLimitedHttpChat implements GuardedChat {
    /** The rate limit's key. */
    public static final String KEY = "rate-limited-http-chat";
    private final String provider;

    @Inject
    public RateLimitedHttpChat(@Named("provider") String provider) {
        this.provider = provider;
    }

    @Override
    @RateLimit(key = KEY, requestsPerMinute = 60)
    public String chat(String prompt) {
        return provider + ": " + prompt;
    }
}
