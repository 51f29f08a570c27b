package dev.rebound.it.woven;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;

/** A woven resilient method calling another: retries multiply. */
public final class Nested {

    private Nested() {
    }

    public static class Inner {
        @Retry(attempts = 3, delay = 10, jitter = false)
        public String fetch(String q) {
            return FakeLlm.complete("inner", q);
        }
    }

    public static class Outer {
        private final Inner inner = new Inner();

        @Retry(attempts = 3, delay = 10, jitter = false)
        public String answer(String q) {
            return inner.fetch(q);
        }
    }
}
