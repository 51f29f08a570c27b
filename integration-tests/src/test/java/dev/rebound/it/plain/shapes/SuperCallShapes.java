package dev.rebound.it.plain.shapes;

import dev.rebound.annotations.Retry;

/**
 * Overrides that call the annotated method they override with {@code super}, where javac adds a bridge
 * with the overridden method's signature (compiled by javac alone, for the Guice door; the same shapes
 * as woven.shapes.SuperCallShapes). Each body throws its one {@code down} instance and counts its calls.
 */
public final class SuperCallShapes {

    private SuperCallShapes() {
    }

    /** An annotated method returning Object. */
    public static class Fetcher {
        public final IllegalStateException down = new IllegalStateException("down");
        public int calls;

        @Retry(attempts = 3, delay = 0)
        public Object fetch() {
            calls++;
            throw down;
        }
    }

    /** Narrows the return type and calls super: javac adds the bridge {@code Object fetch()}. */
    public static class CovariantFetcher extends Fetcher {
        @Override
        public String fetch() {
            return (String) super.fetch();
        }
    }

    /** An annotated method taking the type variable. */
    public static class Handler<T> {
        public final IllegalStateException down = new IllegalStateException("down");
        public int calls;

        @Retry(attempts = 3, delay = 0)
        public String handle(T event) {
            calls++;
            throw down;
        }
    }

    /** Fixes the type argument and calls super: javac adds the bridge {@code handle(Object)}. */
    public static class StringHandler extends Handler<String> {
        @Override
        public String handle(String event) {
            return super.handle(event.trim());
        }
    }

    /** Not public, so its public method reaches {@link Inheriting}'s callers through an access bridge. */
    abstract static class Hidden {
        public final IllegalStateException down = new IllegalStateException("down");
        public int calls;

        public String call(String prompt) {
            calls++;
            throw down;
        }
    }

    /** Class-level policy over {@code call}, inherited from the non-public Hidden: javac adds its access bridge. */
    @Retry(attempts = 3, delay = 0)
    public static class Inheriting extends Hidden {
    }
}
