package dev.rebound.ltw.app;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;

/** An annotated interface of the application itself, its models and its fallback: javac only. */
public interface Chat {

    @Retry(attempts = 3, delay = 10, jitter = false)
    @Fallback(to = Chat.Backup.class)
    String chat(String prompt);

    /** The primary. */
    class Primary implements Chat {
        @Override
        public String chat(String prompt) {
            return FakeLlm.complete("primary", prompt);
        }
    }

    /** The alternative, under the same retry. */
    class Backup implements Chat {
        @Override
        public String chat(String prompt) {
            return FakeLlm.complete("backup", prompt);
        }
    }

    /** Annotated wrongly (and hidden from the annotation processor): fails its initialisation once woven. */
    @SuppressWarnings("rebound")
    class OutOfRange implements Chat {
        @Override
        @Retry(attempts = 101)
        public String chat(String prompt) {
            return prompt;
        }
    }
}
