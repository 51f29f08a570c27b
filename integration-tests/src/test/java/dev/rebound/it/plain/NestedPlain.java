package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;
import jakarta.inject.Inject;

/** An outer resilient service calling an inner resilient one, both intercepted by Guice. */
public final class NestedPlain {

    private NestedPlain() {
    }

    public static class Inner {
        @Retry(attempts = 3, delay = 10, jitter = false)
        public String fetch(String q) {
            return FakeLlm.complete("inner", q);
        }
    }

    public static class Outer {
        private final Inner inner;

        @Inject
        public Outer(Inner inner) {
            this.inner = inner;
        }

        @Retry(attempts = 3, delay = 10, jitter = false)
        public String answer(String q) {
            return inner.fetch(q);
        }
    }
}
