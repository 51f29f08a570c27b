package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;
import jakarta.inject.Inject;
import org.springframework.retry.annotation.Retryable;

/**
 * An outer resilient service calling an inner resilient one, both intercepted by Guice; and methods that
 * another library's retry annotation retries too.
 */
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

    public interface Pinger {
        String ping(String host);
    }

    /** Rebound's @Retry and Spring Retry's @Retryable on one method: for Rebound.wrap. */
    public static class WrappedDoublyRetried implements Pinger {
        @Override
        @Retry(attempts = 3, delay = 10, jitter = false)
        @Retryable(maxAttempts = 3)
        @SuppressWarnings("rebound") // the nested retry is the point: its run-time WARN is NestedRetriesTest's
        public String ping(String host) {
            return "pong";
        }
    }

    /** Spring Retry's @Retryable on the class, Rebound's @Retry on its method: for Guice. */
    @Retryable(maxAttempts = 3)
    public static class InjectedDoublyRetried implements Pinger {
        @Override
        @Retry(attempts = 4, delay = 10, jitter = false)
        @SuppressWarnings("rebound") // the nested retry is the point: its run-time WARN is NestedRetriesTest's
        public String ping(String host) {
            return "pong";
        }
    }

    /** A primary whose alternative carries @Retry and Spring Retry's @Retryable on its method. */
    public interface FallsBackToDoublyRetried {
        @Retry(attempts = 1)
        @dev.rebound.annotations.Fallback(to = AlternativeDoublyRetried.class)
        String ping(String host);
    }

    /** The alternative: Rebound's @Retry (2 attempts) and Spring Retry's @Retryable on one method. */
    public static class AlternativeDoublyRetried implements FallsBackToDoublyRetried {
        @Override
        @Retry(attempts = 2, delay = 10, jitter = false)
        @Retryable(maxAttempts = 3)
        @SuppressWarnings("rebound") // the nested retry is the point: its run-time WARN is NestedRetriesTest's
        public String ping(String host) {
            return "pong";
        }
    }
}
