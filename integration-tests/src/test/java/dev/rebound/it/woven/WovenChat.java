package dev.rebound.it.woven;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;

/** A woven class that an injector also provides: its policy must apply once. */
public interface WovenChat {

    @Retry(attempts = 3, delay = 10, jitter = false)
    String chat(String prompt);

    class Gpt4 implements WovenChat {
        @Override
        public String chat(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }
    }
}
