package dev.rebound.it.woven;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.runtime.Parallel;

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

    /** The inner method of {@link ParallelOuter}: a class of its own, so that its failures are its test's. */
    public static class BranchInner {
        @Retry(attempts = 3, delay = 10, jitter = false)
        public String fetch(String q) {
            return FakeLlm.complete("inner", q);
        }
    }

    /** A resilient method whose call of another runs in a {@code Parallel} branch, on another thread. */
    public static class ParallelOuter {
        private final BranchInner inner = new BranchInner();

        @Retry(attempts = 3, delay = 10, jitter = false)
        public String answer(String q) {
            return Parallel.invokeAll(() -> inner.fetch(q), () -> "faq").get(0);
        }
    }
}
