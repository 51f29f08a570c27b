package dev.rebound.it.woven;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.runtime.Parallel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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

    /** A retrying method that calls itself: each level retries, so the attempts multiply (2 x 2 x 2 at the bottom). */
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

    /**
     * A retrying default method (woven here) that calls itself: each level calls {@link #level}, the implementation's
     * own method (a lambda's body included), which records it and fails at the bottom. Implemented by
     * {@link WovenDescent}, by javac classes ({@code plain.NestedPlain}) and by lambdas.
     */
    @FunctionalInterface
    public interface Descent {
        String level(int n);

        @Retry(attempts = 2, delay = 10, jitter = false)
        default String dig(int n) {
            level(n);
            return dig(n - 1);
        }

        /** What each implementation's {@link #level} does: records {@code dig(n)} in {@code calls}, fails at 0. */
        static String record(List<String> calls, int n) {
            calls.add("dig(" + n + ")");
            if (n == 0) {
                throw new IllegalStateException("bottom");
            }
            return "deeper";
        }
    }

    /** Woven here, inheriting {@link Descent#dig}. */
    public static class WovenDescent implements Descent {
        public final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public String level(int n) {
            return Descent.record(calls, n);
        }
    }

    /**
     * Two retrying default methods (woven here), {@code draft} calling {@code polish} on itself, which calls
     * {@link #write}, the implementation's own method (a lambda's body included). Implemented by {@link WovenDrafts},
     * by javac classes ({@code plain.NestedPlain}) and by lambdas.
     */
    @FunctionalInterface
    public interface Drafts {
        String write(String text);

        @Retry(attempts = 2, delay = 10, jitter = false)
        default String draft(String text) {
            return polish(text);
        }

        @Retry(attempts = 3, delay = 10, jitter = false)
        default String polish(String text) {
            return write(text);
        }

        /** What each implementation's {@link #write} does: records it in {@code calls} and fails. */
        static String record(List<String> calls) {
            calls.add("write");
            throw new IllegalStateException("rough");
        }
    }

    /** Woven here, inheriting {@link Drafts#draft} and {@link Drafts#polish}. */
    public static class WovenDrafts implements Drafts {
        public final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public String write(String text) {
            return Drafts.record(calls);
        }
    }

    /** Two retrying overloads, one calling the other (woven): a pair of methods, whose attempts multiply (2 x 2). */
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

        public Routing(Chat next) {
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
}
