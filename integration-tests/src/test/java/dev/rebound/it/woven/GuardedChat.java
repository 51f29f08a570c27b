package dev.rebound.it.woven;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;

/** Woven: a breaker on one method, a retry budget on another, both over a fallback. */
public interface GuardedChat {

    @Retry(attempts = 3, delay = 10, jitter = false)
    @CircuitBreaker(requestVolumeThreshold = 2, failureRatio = 1.0, delay = 1_000)
    @Fallback(to = Local.class)
    String chat(String prompt);

    @Retry(attempts = 2, delay = 0, budgetRatio = 0.4, budgetMinPerSecond = 0)
    @Fallback(to = Local.class)
    String ask(String prompt);

    class Gpt4 implements GuardedChat {
        @Override
        public String chat(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }

        @Override
        public String ask(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }
    }

    class Local implements GuardedChat {
        @Override
        public String chat(String prompt) {
            return FakeLlm.complete("local", prompt);
        }

        @Override
        public String ask(String prompt) {
            return FakeLlm.complete("local", prompt);
        }
    }
}
