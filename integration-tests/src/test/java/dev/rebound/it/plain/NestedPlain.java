package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

    /**
     * A retrying method that calls itself, through the instance Guice made (so each level is intercepted):
     * the attempts multiply.
     */
    public static class Recursive {
        /** Every body reached, in order. */
        public static final List<String> CALLS = new CopyOnWriteArrayList<>();

        @Retry(attempts = 2, delay = 10, jitter = false)
        public String dig(int n) {
            CALLS.add("dig(" + n + ")");
            if (n == 0) {
                throw new IllegalStateException("bottom");
            }
            return dig(n - 1);
        }
    }

    /** Two retrying overloads, one calling the other (through the instance Guice made): a pair of methods, whose attempts multiply (2 x 2). */
    public static class Lookup {
        /** Every body of {@code find(int)} reached. */
        public static final List<String> CALLS = new CopyOnWriteArrayList<>();

        @Retry(attempts = 2, delay = 10, jitter = false)
        public String find(int id) {
            CALLS.add("find(" + id + ")");
            throw new IllegalStateException("down");
        }

        @Retry(attempts = 2, delay = 10, jitter = false)
        public String find(String name) {
            return find(name.length());
        }
    }

    /** A contract whose method retries in every implementation. */
    public interface Chat {
        @Retry(attempts = 2, delay = 10, jitter = false)
        String chat(String prompt);
    }

    /** An implementation that always fails. */
    public static class Remote implements Chat {
        /** Every body reached. */
        public static final List<String> CALLS = new CopyOnWriteArrayList<>();

        @Override
        public String chat(String prompt) {
            CALLS.add("chat(" + prompt + ")");
            throw new IllegalStateException("down");
        }
    }

    /** A decorator (a router) over another implementation: the same contract method, on another object. */
    public static class Routing implements Chat {
        private final Chat next;

        @Inject
        public Routing(Remote next) {
            this.next = next;
        }

        @Override
        public String chat(String prompt) {
            return next.chat(prompt);
        }
    }

    /** Called through its erased interface method: javac's bridge {@code handle(Object)} calls {@code handle(String)}. */
    public interface Handler<T> {
        String handle(T item);
    }

    /** A retrying method reached through a bridge of its own name in its own class: one call, no nesting. */
    public static class StringHandler implements Handler<String> {
        /** Every body reached, in order. */
        public static final List<String> CALLS = new CopyOnWriteArrayList<>();

        @Override
        @Retry(attempts = 2, delay = 10, jitter = false)
        public String handle(String item) {
            CALLS.add("handle(" + item + ")");
            throw new IllegalStateException("down");
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

    /** Implements {@code Nested.Descent}'s level (never woven), inheriting its woven default {@code dig}. */
    public static class PlainDescent implements dev.rebound.it.woven.Nested.Descent {
        public final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public String level(int n) {
            return dev.rebound.it.woven.Nested.Descent.record(calls, n);
        }
    }

    /** Called directly (what is said is said once per class: a class per door). */
    public static class DirectDescent extends PlainDescent {
    }

    /** Made by an injector with {@code ReboundModule}. */
    public static class InjectedDescent extends PlainDescent {
    }

    /** Wrapped with {@code Rebound.wrap}. */
    public static class WrappedDescent extends PlainDescent {
    }

    /** Bound as an instance under {@code ReboundModule.wrapping}. */
    public static class ProvidedDescent extends PlainDescent {
    }

    /** Behind a Spring proxy that {@code Rebound.wrap} wraps. */
    public static class ProxiedDescent extends PlainDescent {
    }

    /** Implements {@code Nested.Drafts}'s write (never woven), inheriting its woven defaults draft and polish. */
    public static class PlainDrafts implements dev.rebound.it.woven.Nested.Drafts {
        public final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public String write(String text) {
            return dev.rebound.it.woven.Nested.Drafts.record(calls);
        }
    }

    /** Called directly (what is said is said once per class: a class per door). */
    public static class DirectDrafts extends PlainDrafts {
    }

    /** Made by an injector with {@code ReboundModule}. */
    public static class InjectedDrafts extends PlainDrafts {
    }

    /** Wrapped with {@code Rebound.wrap}. */
    public static class WrappedDrafts extends PlainDrafts {
    }

    /** Bound as an instance under {@code ReboundModule.wrapping}. */
    public static class ProvidedDrafts extends PlainDrafts {
    }

    /** Behind a Spring proxy that {@code Rebound.wrap} wraps. */
    public static class ProxiedDrafts extends PlainDrafts {
    }
}
