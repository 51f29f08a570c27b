package dev.rebound.it.woven.shapes;

import dev.rebound.annotations.Retry;
import dev.rebound.it.plain.shapes.AnnotatedLibraryClient;
import dev.rebound.it.plain.shapes.LibraryClient;
import java.util.function.Function;

/**
 * Type-level policies over inherited public methods (compiled and woven by ajc; the same shapes as plain.shapes.InheritedShapes, for the Guice door): each class's {@code body} throws its one
 * {@code down} instance and counts its calls.
 */
public final class InheritedShapes {

    private InheritedShapes() {
    }

    /** A body that always fails with the same exception instance. */
    public static final class Body {
        public final IllegalStateException down = new IllegalStateException("down");
        public int calls;

        String fail() {
            calls++;
            throw down;
        }
    }

    /** Its only method is inherited from an unannotated JDK interface. */
    @Retry(attempts = 3, delay = 0)
    public interface Chat extends Function<String, String> {
    }

    public static class ChatImpl implements Chat {
        public final Body body = new Body();

        @Override
        public String apply(String prompt) {
            return body.fail();
        }
    }

    /** A concrete class without policy. */
    public static class Concrete {
        public final Body body = new Body();

        public String call(String prompt) {
            return body.fail();
        }
    }

    /** An abstract class without policy. */
    public abstract static class AbstractBase {
        public final Body body = new Body();

        public String call(String prompt) {
            return body.fail();
        }
    }

    /** A generic abstract class without policy. */
    public abstract static class AbstractGeneric<T> {
        public final Body body = new Body();

        public T call(T prompt) {
            body.fail();
            return prompt;
        }
    }

    /** An annotated interface whose method a subclass of AbstractGeneric implements. */
    public interface GenericChat {
        @Retry(attempts = 3, delay = 0)
        String call(String prompt);
    }

    /** Implements GenericChat.call(String) with javac's bridge call(String), which calls AbstractGeneric.call(Object). */
    public static class GenericViaInterface extends AbstractGeneric<String> implements GenericChat {
    }

    /** Class-level policy; call is inherited from the abstract AbstractBase. */
    @Retry(attempts = 3, delay = 0)
    public static class RetriedAbstractBase extends AbstractBase {
    }

    /** Abstract, with a type-level policy over call, which it inherits from the abstract AbstractBase. */
    @Retry(attempts = 3, delay = 0)
    public abstract static class AnnotatedAbstract extends AbstractBase {
    }

    public static class AnnotatedAbstractLeaf extends AnnotatedAbstract {
    }

    /** Abstract, with a type-level policy over an interface method its subclass implements. */
    @Retry(attempts = 3, delay = 0)
    public abstract static class AnnotatedAbstractFunction implements Function<String, String> {
    }

    public static class FunctionLeaf extends AnnotatedAbstractFunction {
        public final Body body = new Body();

        @Override
        public String apply(String prompt) {
            return body.fail();
        }
    }

    /** Class-level policy; call is inherited from the concrete, unannotated Concrete. */
    @Retry(attempts = 3, delay = 0)
    public static class RetriedConcrete extends Concrete {
    }

    /** Abstract, with a type-level policy over call, inherited from the concrete, unannotated Concrete. */
    @Retry(attempts = 3, delay = 0)
    public abstract static class AnnotatedAbstractOverConcrete extends Concrete {
    }

    public static class AnnotatedAbstractOverConcreteLeaf extends AnnotatedAbstractOverConcrete {
    }

    /** An unannotated interface whose default method a policy class inherits. */
    public interface Greeter {
        Body body();

        default String greet(String name) {
            return body().fail();
        }
    }

    /** Class-level policy; greet is Greeter's default method. */
    @Retry(attempts = 3, delay = 0)
    public static class RetriedGreeter implements Greeter {
        private final Body body = new Body();

        @Override
        public Body body() {
            return body;
        }
    }

    /** The same, for the test that no warning is logged: initialised by that test only. */
    @Retry(attempts = 3, delay = 0)
    public static class QuietGreeter implements Greeter {
        private final Body body = new Body();

        @Override
        public Body body() {
            return body;
        }
    }

    /**
     * Class-level policy over a JDK interface: {@code Function.compose} and {@code andThen} (defaults the
     * policy reaches) were compiled without the aspect, so they are not woven.
     */
    @Retry(attempts = 3, delay = 0)
    public static class RetriedFunction implements Function<String, String> {
        public final Body body = new Body();

        @Override
        public String apply(String prompt) {
            return body.fail();
        }
    }

    /**
     * A woven default method under a policy of its own over an abstract method, implemented by a class a
     * bytecode generator defines as a hidden class ({@code plain.shapes.HiddenGreeter}).
     */
    public interface HiddenGreeting {
        String name();

        @Retry(attempts = 2, delay = 0)
        default String greet() {
            return "hi " + name();
        }
    }

    /**
     * A type-level policy over an abstract method and a default method that calls it, implemented by a
     * lambda: the lambda's class is hidden, never woven; the default method is woven here.
     */
    @Retry(attempts = 3, delay = 0)
    public interface Task {
        String run();

        default String twice() {
            return run() + run();
        }
    }

    /**
     * An API interface of a module built with rebound-weaver: an annotated abstract method, and an annotated
     * default method (woven here), implemented by classes compiled by javac alone
     * ({@code plain.shapes.PlainAssistants}).
     */
    public interface Assistant {
        @Retry(attempts = 3, delay = 0)
        String chat(String prompt);

        @Retry(attempts = 3, delay = 0)
        default String summarize(String text) {
            return body().fail();
        }

        Body body();
    }

    /** Woven here: implements chat and inherits the woven summarize, as a class of the API's own module. */
    public static class WovenAssistant implements Assistant {
        public final Body body = new Body();

        @Override
        public Body body() {
            return body;
        }

        @Override
        public String chat(String prompt) {
            throw new IllegalStateException("chat down");
        }
    }

    /** The same, for the test through a decorator of it (the nested retries it makes are said once per class). */
    public static class DecoratedWovenAssistant extends WovenAssistant {
    }

    /**
     * Two annotated default methods (both woven here) of an API interface, implemented by a javac class
     * that overrides one of them and calls the other on itself ({@code plain.shapes.PlainAssistants.OverridingWriter}).
     */
    public interface Writer {
        @Retry(attempts = 2, delay = 0)
        default String draft(String text) {
            return "draft " + text;
        }

        @Retry(attempts = 3, delay = 0)
        default String polish(String text) {
            return polishBody().fail();
        }

        Body polishBody();
    }

    /**
     * An API interface with an annotated abstract method, {@code edit}, and two annotated default methods (woven here),
     * {@code draft} calling {@code polish} on itself, which calls {@code edit}: implemented by javac classes
     * ({@code plain.shapes.PlainAssistants.PlainEditor}) and by lambdas, whose own {@code edit} is never woven.
     */
    @FunctionalInterface
    public interface Editor {
        @Retry(attempts = 3, delay = 0)
        String edit(String text);

        @Retry(attempts = 2, delay = 0)
        default String draft(String text) {
            return polish(text);
        }

        @Retry(attempts = 3, delay = 0)
        default String polish(String text) {
            return edit(text);
        }
    }

    /** An annotated interface that a subclass of a library's abstract class implements. */
    public interface LibraryChat {
        @Retry(attempts = 3, delay = 0)
        String chat(String prompt);
    }

    /** Inherits chat from the abstract LibraryClient, which ajc never wove (javac compiled it). */
    public static class LibraryBacked extends LibraryClient implements LibraryChat {
        @Override
        protected String endpoint() {
            return "gpt-4";
        }
    }

    /** The same, overriding chat to call super: the override is woven. */
    public static class LibraryBackedOverriding extends LibraryClient implements LibraryChat {
        @Override
        public String chat(String prompt) {
            return super.chat(prompt);
        }

        @Override
        protected String endpoint() {
            return "gpt-4";
        }
    }

    /** Inherits the annotated chat from AnnotatedLibraryClient, which ajc never wove (javac compiled it). */
    public static class AnnotatedLibraryBacked extends AnnotatedLibraryClient {
    }
}
