package dev.rebound.it.woven.shapes;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every class shape that implements an annotated interface, compiled by ajc with rebound-weaver as
 * the README shows: each must get its policy (3 attempts of {@link Flaky#call}).
 */
public final class Shapes {

    private Shapes() {
    }

    /** Each shape by name, made fresh. */
    public static Map<String, Supplier<Flaky>> all() {
        Map<String, Supplier<Flaky>> shapes = new LinkedHashMap<>();
        shapes.put("public top-level", PublicShape::new);
        shapes.put("package-private top-level", PackagePrivateShape::new);
        shapes.put("public static nested", PublicNested::new);
        shapes.put("private static nested", PrivateNested::new);
        shapes.put("package-private static nested", PackageNested::new);
        shapes.put("inner", () -> new Shapes().new Inner());
        shapes.put("local", Shapes::local);
        shapes.put("anonymous", Shapes::anonymous);
        shapes.put("subclass of a woven class", Subclass::new);
        shapes.put("implements a sub-interface", ViaSubInterface::new);
        shapes.put("own annotated method, package-private", OwnAnnotated::new);
        shapes.put("annotated type, private", TypeAnnotated::new);
        shapes.put("extends java.lang.reflect.Proxy, not a JDK proxy", ProxySubclass::new);
        shapes.put("top-level, named with $$, over a base without policy", Dollar$$Shape::new);
        shapes.put("nested, named with $ (binary name Shapes$$Nested)", $Nested::new);
        return shapes;
    }

    public static class PublicNested extends Base {
    }

    private static class PrivateNested extends Base {
    }

    static class PackageNested extends Base {
    }

    /** A non-static inner class. */
    class Inner implements Flaky {
        private final Failing body = new Failing();

        @Override
        public String call(String prompt) {
            return body.fail();
        }

        @Override
        public int calls() {
            return body.calls();
        }
    }

    static Flaky local() {
        class Local implements Flaky {
            private final Failing body = new Failing();

            @Override
            public String call(String prompt) {
                return body.fail();
            }

            @Override
            public int calls() {
                return body.calls();
            }
        }
        return new Local();
    }

    static Flaky anonymous() {
        Failing body = new Failing();
        return new Flaky() {
            @Override
            public String call(String prompt) {
                return body.fail();
            }

            @Override
            public int calls() {
                return body.calls();
            }
        };
    }

    /** The body every nested shape shares, in a class of its own shape (abstract, package-private). */
    abstract static class Base implements Flaky {
        private final Failing body = new Failing();

        @Override
        public String call(String prompt) {
            return body.fail();
        }

        @Override
        public int calls() {
            return body.calls();
        }
    }

    static class Subclass extends PublicShape {
    }

    public interface SubFlaky extends Flaky {
    }

    static final class ViaSubInterface extends Base implements SubFlaky {
    }

    /** A contract without annotations: the classes below carry their own. */
    public interface Unannotated extends Flaky {
    }

    /** The annotation on the class's own method, in a package-private class. */
    static class OwnAnnotated implements Unannotated {
        private final Failing body = new Failing();

        @Override
        @Retry(attempts = 3, delay = 0)
        public String call(String prompt) {
            return body.fail();
        }

        @Override
        public int calls() {
            return body.calls();
        }
    }

    /** The annotation on a private class. */
    @Retry(attempts = 3, delay = 0)
    private static class TypeAnnotated extends OwnAnnotated {
        private final Failing body = new Failing();

        @Override
        public String call(String prompt) {
            return body.fail();
        }

        @Override
        public int calls() {
            return body.calls();
        }
    }

    /** A base class without policy (not Object), under the classes named like a generated subclass. */
    public static class Plain {
    }

    /**
     * A nested class named with a leading {@code $}: its binary name, {@code Shapes$$Nested}, holds {@code $$} as a
     * container's generated subclass's does; its own {@code @Retry} applies.
     */
    static class $Nested extends Plain implements Unannotated {
        private final Failing body = new Failing();

        @Override
        @Retry(attempts = 3, delay = 0)
        public String call(String prompt) {
            return body.fail();
        }

        @Override
        public int calls() {
            return body.calls();
        }
    }

    /**
     * The application's own subclass of {@code java.lang.reflect.Proxy} (its constructor is protected), not one
     * the JDK generated ({@code Proxy.isProxyClass} is false): woven as any class, its own method annotated.
     */
    static class ProxySubclass extends java.lang.reflect.Proxy implements Unannotated {
        private final Failing body = new Failing();

        ProxySubclass() {
            super((proxy, method, args) -> null);
        }

        @Override
        @Retry(attempts = 3, delay = 0)
        public String call(String prompt) {
            return body.fail();
        }

        @Override
        public int calls() {
            return body.calls();
        }
    }

    // ---- generic interfaces ----

    /** A type-variable parameter (issue: the lookup compared exact types with erased ones). */
    public interface Handler<T> {
        @Retry(attempts = 3, delay = 0)
        void handle(T item);
    }

    /** A type-variable result. */
    public interface Source<T> {
        @Retry(attempts = 3, delay = 0)
        T get();
    }

    /** Two type parameters. */
    public interface Mapper<A, B> {
        @Retry(attempts = 3, delay = 0)
        B map(A input);
    }

    /** An interface that fixes another's type argument. */
    public interface StringHandler extends Handler<String> {
    }

    public static final class EventHandler implements Handler<String> {
        public final Failing body = new Failing();

        @Override
        public void handle(String item) {
            body.fail();
        }
    }

    public static final class StringSource implements Source<String> {
        public final Failing body = new Failing();

        @Override
        public String get() {
            return body.fail();
        }
    }

    public static final class Parser implements Mapper<String, Integer> {
        public final Failing body = new Failing();

        @Override
        public Integer map(String input) {
            body.fail();
            return 0;
        }
    }

    public static final class ViaStringHandler implements StringHandler {
        public final Failing body = new Failing();

        @Override
        public void handle(String item) {
            body.fail();
        }
    }

    /** A generic class: its method's parameter stays a type variable. */
    public static final class Box<T> implements Handler<T> {
        public final Failing body = new Failing();

        @Override
        public void handle(T item) {
            body.fail();
        }
    }

    // ---- default methods ----

    /** The annotation sits on a default method the class does not override. */
    public interface WithDefault {
        Failing body();

        @Retry(attempts = 3, delay = 0)
        default String call(String prompt) {
            return body().fail();
        }
    }

    public static final class UsesDefault implements WithDefault {
        private final Failing body = new Failing();

        @Override
        public Failing body() {
            return body;
        }
    }

    // ---- an annotated interface listed after an unannotated one that declares the same method ----

    /** A library's interface: declares the method, carries no policy. */
    public interface Completer {
        String chat(String prompt);
    }

    /** The user's interface. */
    public interface Chat {
        @Retry(attempts = 3, delay = 0)
        @Fallback(to = Backup.class)
        String chat(String prompt);
    }

    /** Lists the library's interface first: the method still belongs to {@link Chat}. */
    public static class CompleterFirst implements Completer, Chat {
        public final Failing body = new Failing();

        @Override
        public String chat(String prompt) {
            return body.fail();
        }
    }

    public static class Backup implements Chat {
        @Override
        public String chat(String prompt) {
            return "backup: " + prompt;
        }
    }

    /** The user's interface, a retry only: it names the method and scopes its budget. */
    public interface Ask {
        @Retry(attempts = 3, delay = 0)
        String chat(String prompt);
    }

    public static class AskCompleterFirst implements Completer, Ask {
        public final Failing body = new Failing();

        @Override
        public String chat(String prompt) {
            return body.fail();
        }
    }
}
