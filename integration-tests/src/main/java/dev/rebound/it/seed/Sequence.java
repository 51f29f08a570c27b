package dev.rebound.it.seed;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeModel;
import java.util.ArrayList;
import java.util.List;

/** The seed's {@code prompt | ChatOpenAI().with_retry(stop_after_attempt=2)}: only the llm step re-runs. */
public final class Sequence {

    private Sequence() {
    }

    public interface Llm {
        @Retry(attempts = 2, delay = 100, jitter = false)
        String invoke(String prompt);
    }

    public static class Gpt4 extends FakeModel implements Llm {
        public Gpt4() {
            super("gpt-4");
        }
    }

    /** The prompt step: woven too, but unannotated, so it runs once per chain call. */
    public static class Prompt {
        private final List<String> formatted = new ArrayList<>();

        public String format(String question) {
            String p = "Answer briefly: " + question;
            formatted.add(p);
            return p;
        }

        public List<String> formatted() {
            return formatted;
        }
    }

    public static class Chain {
        private final Prompt prompt;
        private final Llm llm;

        public Chain(Prompt prompt, Llm llm) {
            this.prompt = prompt;
            this.llm = llm;
        }

        public String invoke(String question) {
            return llm.invoke(prompt.format(question));
        }
    }
}
