package dev.rebound.it.plain;

import com.google.inject.Inject;
import com.google.inject.name.Named;
import dev.rebound.annotations.Fallback;
import dev.rebound.it.plain.generated.GuardedChat;

/**
 * {@link HttpChat} with a canned answer to fall back to (javac only: Guice intercepts it): "openai" is down, any other
 * provider blips once, then answers; its calls are counted in {@link HttpChat#CALLS}.
 */
public class CannedFallbackHttpChat extends HttpChat {

    @Inject
    public CannedFallbackHttpChat(@Named("provider") String provider) {
        super(provider);
    }

    @Override
    @Fallback(to = Canned.class)
    public String chat(String prompt) {
        return super.chat(prompt);
    }

    /** The alternative: a canned answer. */
    public static class Canned implements GuardedChat {
        @Override
        public String chat(String prompt) {
            return "canned";
        }
    }
}
