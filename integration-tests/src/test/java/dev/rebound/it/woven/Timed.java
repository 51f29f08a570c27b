package dev.rebound.it.woven;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeModel;

/** Policies that need the first attempt's start time: a deadline. */
public final class Timed {

    private Timed() {
    }

    public interface Llm {
        @Retry(attempts = 10, delay = 100, jitter = false, maxDuration = 250)
        String invoke(String prompt);
    }

    public static class Gpt4 extends FakeModel implements Llm {
        public Gpt4() {
            super("gpt-4");
        }
    }
}
