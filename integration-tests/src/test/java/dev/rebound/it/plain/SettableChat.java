package dev.rebound.it.plain;

import com.google.inject.Inject;
import dev.rebound.it.plain.generated.GuardedChat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** One client class a @Provides method configures per provider ("openai" is down, others blip once). */
public class SettableChat implements GuardedChat {
    public static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    public volatile String provider = "unset";

    @Inject
    public SettableChat() {
    }

    @Override
    public String chat(String prompt) {
        return HttpChat.answer(CALLS, provider, prompt);
    }
}
