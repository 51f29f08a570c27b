package dev.rebound.it.seed;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.llm.FakeModel;

/** The seed's {@code ChatOpenAI().with_retry(stop_after_attempt=3, wait_exponential_jitter=True)}. */
public final class OneModel {

    private OneModel() {
    }

    public interface Llm {
        @Retry(attempts = 3, jitter = true)
        String invoke(String prompt);
    }

    /** Annotated only through {@link Llm}. */
    public static class Gpt4 extends FakeModel implements Llm {
        public Gpt4() {
            super("gpt-4");
        }
    }

    /** Its own method annotation wins over the interface's. */
    public static class PatientGpt4 implements Llm {
        @Override
        @Retry(attempts = 5, delay = 10, jitter = false)
        public String invoke(String prompt) {
            return FakeLlm.complete("gpt-4", prompt);
        }
    }
}
