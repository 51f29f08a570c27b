package dev.rebound.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The interface under test and a scripted fake of it. */
interface Model {

    String chat(String prompt);

    /** A fake that fails as told, and counts the calls that reached it. */
    final class Fake implements Model {
        final String name;
        final AtomicInteger calls = new AtomicInteger();
        private final Deque<Supplier<RuntimeException>> script = new ArrayDeque<>();
        private volatile Supplier<RuntimeException> always;

        Fake(String name) {
            this.name = name;
        }

        /** Every call fails with a fresh transient failure (a 503). */
        Fake down() {
            always = () -> new UncheckedIOException(new IOException("503"));
            return this;
        }

        /** Every call fails with what {@code failure} makes. */
        Fake failingWith(Supplier<RuntimeException> failure) {
            always = failure;
            return this;
        }

        /** Every call succeeds (after any scripted failures). */
        Fake up() {
            always = null;
            return this;
        }

        /** The next calls fail with these, in order. */
        @SafeVarargs
        final Fake thenFail(Supplier<RuntimeException>... failures) {
            synchronized (script) {
                for (Supplier<RuntimeException> f : failures) {
                    script.add(f);
                }
            }
            return this;
        }

        @Override
        public String chat(String prompt) {
            calls.incrementAndGet();
            Supplier<RuntimeException> next;
            synchronized (script) {
                next = script.poll();
            }
            if (next == null) {
                next = always;
            }
            if (next != null) {
                throw next.get();
            }
            return name + ":" + prompt;
        }
    }

    static RuntimeException outage() {
        return new UncheckedIOException(new IOException("503"));
    }
}
