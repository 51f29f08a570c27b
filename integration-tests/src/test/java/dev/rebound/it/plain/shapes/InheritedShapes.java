package dev.rebound.it.plain.shapes;

import dev.rebound.annotations.Retry;
import java.util.function.Function;

/**
 * Type-level policies over inherited public methods (compiled by javac alone, for the Guice door): each failing body throws its one
 * {@code down} instance and counts its calls.
 */
public final class InheritedShapes {

    private InheritedShapes() {
    }

    /** Its only method is inherited from an unannotated JDK interface. */
    @Retry(attempts = 3, delay = 0)
    public interface Chat extends Function<String, String> {
    }

    public static class ChatImpl implements Chat {
        public final IllegalStateException down = new IllegalStateException("down");
        public int calls;

        @Override
        public String apply(String prompt) {
            calls++;
            throw down;
        }
    }

    /** A concrete class without policy. */
    public static class Body {
        public final IllegalStateException down = new IllegalStateException("down");
        public int calls;

        public String call(String prompt) {
            calls++;
            throw down;
        }
    }

    /** An abstract class without policy. */
    public abstract static class AbstractBody {
        public final IllegalStateException down = new IllegalStateException("down");
        public int calls;

        public String call(String prompt) {
            calls++;
            throw down;
        }
    }

    /** Class-level policy; call is inherited from the abstract AbstractBody. */
    @Retry(attempts = 3, delay = 0)
    public static class RetriedAbstractBody extends AbstractBody {
    }

    /** Abstract, with a type-level policy and a body of its own, inherited by an unannotated leaf. */
    @Retry(attempts = 3, delay = 0)
    public abstract static class AnnotatedAbstract {
        public final IllegalStateException down = new IllegalStateException("down");
        public int calls;

        public String call(String prompt) {
            calls++;
            throw down;
        }
    }

    public static class AnnotatedAbstractLeaf extends AnnotatedAbstract {
    }

    /** Abstract, with a type-level policy over an interface method its subclass implements. */
    @Retry(attempts = 3, delay = 0)
    public abstract static class AnnotatedAbstractFunction implements Function<String, String> {
    }

    public static class FunctionLeaf extends AnnotatedAbstractFunction {
        public final IllegalStateException down = new IllegalStateException("down");
        public int calls;

        @Override
        public String apply(String prompt) {
            calls++;
            throw down;
        }
    }

    /** Class-level policy; call is inherited from the concrete, unannotated Body. */
    @Retry(attempts = 3, delay = 0)
    public static class RetriedBody extends Body {
    }

    /** Abstract, with a type-level policy over call, inherited from the concrete, unannotated Body. */
    @Retry(attempts = 3, delay = 0)
    public abstract static class AnnotatedAbstractOverBody extends Body {
    }

    public static class AnnotatedAbstractOverBodyLeaf extends AnnotatedAbstractOverBody {
    }
}
