package dev.rebound.it.plain.shapes;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.woven.shapes.Failing;

/** Class shapes compiled by javac alone (not woven): Guice's ReboundModule must attach their policies. */
public final class PlainShapes {

    private PlainShapes() {
    }

    public interface Flaky {
        @Retry(attempts = 3, delay = 0)
        String call(String prompt);

        Failing body();
    }

    abstract static class Base implements Flaky {
        private final Failing body = new Failing();

        @Override
        public String call(String prompt) {
            return body.fail();
        }

        @Override
        public Failing body() {
            return body;
        }
    }

    public static class PublicNested extends Base {
    }

    static class PackageNested extends Base {
    }

    public interface Handler<T> {
        @Retry(attempts = 3, delay = 0)
        void handle(T item);
    }

    public interface Mapper<A, B> {
        @Retry(attempts = 3, delay = 0)
        B map(A input);
    }

    public interface StringHandler extends Handler<String> {
    }

    public static class EventHandler implements Handler<String> {
        public final Failing body = new Failing();

        @Override
        public void handle(String item) {
            body.fail();
        }
    }

    public static class Parser implements Mapper<String, Integer> {
        public final Failing body = new Failing();

        @Override
        public Integer map(String input) {
            body.fail();
            return 0;
        }
    }

    public static class ViaStringHandler implements StringHandler {
        public final Failing body = new Failing();

        @Override
        public void handle(String item) {
            body.fail();
        }
    }

    public interface WithDefault {
        Failing body();

        @Retry(attempts = 3, delay = 0)
        default String call(String prompt) {
            return body().fail();
        }
    }

    public static class UsesDefault implements WithDefault {
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
