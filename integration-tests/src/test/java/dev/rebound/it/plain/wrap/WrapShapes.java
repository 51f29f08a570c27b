package dev.rebound.it.plain.wrap;

import dev.rebound.annotations.GenerateWrapper;
import dev.rebound.annotations.Retry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Interfaces of every shape the weaver's annotation processor writes a {@code Rebound.wrap} class for,
 * compiled by javac with the processor (this package is not woven), and one it refuses.
 */
public final class WrapShapes {

    private WrapShapes() {
    }

    /** Checked exceptions, primitives, varargs, arrays, a default method, a method without policy. */
    public interface Chat {
        @Retry(attempts = 3, delay = 0)
        String chat(String prompt) throws IOException;

        @Retry(attempts = 3, delay = 0)
        int count(int times, long base, double scale);

        @Retry(attempts = 2, delay = 0)
        void send(String... parts);

        @Retry(attempts = 2, delay = 0)
        String[] split(char[] chars, int[][] grid);

        @Retry(attempts = 2, delay = 0)
        default String greet(String name) {
            return "hello " + name;
        }

        /** No policy: straight to the target. */
        long plain(long x);
    }

    /** A generic interface with a generic method. */
    public interface Repo<T extends Number> {
        @Retry(attempts = 3, delay = 0)
        T first(List<? extends T> items);

        @Retry(attempts = 2, delay = 0)
        <R extends Comparable<R>> R max(List<R> items, T unused);
    }

    /** The policy on a generic super-interface's method. */
    public interface Handler<X> {
        @Retry(attempts = 2, delay = 0)
        X handle(X input);
    }

    /** Extends {@link Handler} as a String handler: its policy inherited, its method erased to Object. */
    public interface Words extends Handler<String> {
        String more();
    }

    /**
     * A checked exception through a type variable: {@code run} declares {@code E}, erased to
     * {@code Exception} as reflection lists it, though {@link IoOp} sees {@code IOException}.
     */
    public interface Op<E extends Exception> {
        @Retry(attempts = 2, delay = 0)
        String run(String p) throws E;
    }

    public interface IoOp extends Op<IOException> {
    }

    /** Package-private. */
    interface Hidden {
        @Retry(attempts = 2, delay = 0)
        String go();
    }

    /** No policy of its own: wrapped with the builder's. */
    // docs:wrap-generate-wrapper
    @GenerateWrapper
    public interface Plain {
        String chat(String prompt);
    }
    // /docs:wrap-generate-wrapper

    /** {@link Plain} with a policy on its class: applied only where a door sees the class. */
    public static class RetriedPlain implements Plain {
        public final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        @Retry(attempts = 3, delay = 0)
        public String chat(String prompt) {
            calls.incrementAndGet();
            throw new IllegalStateException("down");
        }
    }

    /** A CompletionStage method: the engine's asynchronous chain, as through the proxy. */
    public interface Async {
        @Retry(attempts = 3, delay = 0)
        CompletableFuture<String> chat(String prompt);
    }

    /**
     * Redeclares its super-interface's generic method with a narrower erasure: reflection lists both
     * methods, one override cannot implement both; no class is generated, {@code Rebound.wrap} uses its proxy.
     */
    public interface Narrowed extends Handler<String> {
        @Override
        @Retry(attempts = 3, delay = 0)
        String handle(String input);
    }

    /** A type-level policy whose only method is inherited from an unannotated JDK interface. */
    @Retry(attempts = 3, delay = 0)
    public interface InheritedChat extends java.util.function.Function<String, String> {
    }

    /** A method-level policy on a type-variable result. */
    public interface Task<T> {
        @Retry(attempts = 3, delay = 0)
        T run(String input);
    }

    /** The task's result is a future: the policy acts on the future's failure. */
    public interface AsyncTask extends Task<CompletableFuture<String>> {
    }

    /** The task's result is a stream: the policy cannot act on it, a configuration error. */
    public interface StreamTask extends Task<java.util.stream.Stream<String>> {
    }
}
