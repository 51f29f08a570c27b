package dev.rebound.it.plain;

import com.google.inject.Inject;
import com.google.inject.name.Named;
import dev.rebound.it.plain.generated.GuardedChat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HTTP client class, configured per provider by the module that binds it (javac only: Guice intercepts it).
 * "openai" is down; any other provider fails its first call (a blip), then answers. Its calls are counted per
 * provider.
 */
public class HttpChat implements GuardedChat {
    public static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    private final String provider;

    @Inject
    public HttpChat(@Named("provider") String provider) {
        this.provider = provider;
    }

    @Override
    public String chat(String prompt) {
        return answer(CALLS, provider, prompt);
    }

    /** {@code provider}'s answer, its calls counted in {@code calls}: openai is down, any other blips once. */
    public static String answer(Map<String, AtomicInteger> calls, String provider, String prompt) {
        int n = calls.computeIfAbsent(provider, k -> new AtomicInteger()).incrementAndGet();
        if (provider.equals("openai")) {
            throw new IllegalStateException(provider + " down");
        }
        if (n == 1) {
            throw new IllegalStateException(provider + " blip");
        }
        return provider + ": " + prompt;
    }
}
