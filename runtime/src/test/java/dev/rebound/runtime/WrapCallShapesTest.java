package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rebound.wrap calls its target through a generated direct caller (up to 3 parameters and a
 * result), a method handle (more parameters, void) or reflection: every shape passes its arguments,
 * returns its result, retries, and hands the caller the target's own exception.
 */
class WrapCallShapesTest {

    /** Each method fails on its first call, then answers from its arguments. */
    interface Shapes {
        String none() throws IOException;

        int primitive(int a, long b) throws IOException;

        String three(String a, Integer b, char c) throws IOException;

        String four(String a, String b, String c, String d) throws IOException;

        void nothing(List<String> sink) throws IOException;

        default String inherited(String a) throws IOException {
            return three(a, 0, '!');
        }
    }

    static final class FailsFirst implements Shapes {
        final List<String> calls = new ArrayList<>();

        private void attempt(String name) throws IOException {
            calls.add(name);
            if (calls.stream().filter(name::equals).count() == 1) {
                throw new IOException(name);
            }
        }

        @Override
        public String none() throws IOException {
            attempt("none");
            return "none";
        }

        @Override
        public int primitive(int a, long b) throws IOException {
            attempt("primitive");
            return a + (int) b;
        }

        @Override
        public String three(String a, Integer b, char c) throws IOException {
            attempt("three");
            return a + b + c;
        }

        @Override
        public String four(String a, String b, String c, String d) throws IOException {
            attempt("four");
            return a + b + c + d;
        }

        @Override
        public void nothing(List<String> sink) throws IOException {
            attempt("nothing");
            sink.add("done");
        }
    }

    @Test
    void everyShapeRetriesAndPassesArgumentsAndResults() throws Exception {
        FailsFirst target = new FailsFirst();
        Shapes shapes = Rebound.wrap(Shapes.class, (Shapes) target)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .settings(ReboundSettings.builder().logging(false).build())
                .build();
        List<String> sink = new ArrayList<>();

        assertThat(shapes.none()).isEqualTo("none");
        assertThat(shapes.primitive(40, 2L)).isEqualTo(42);
        assertThat(shapes.three("a", 1, 'c')).isEqualTo("a1c");
        assertThat(shapes.four("a", "b", "c", "d")).isEqualTo("abcd");
        shapes.nothing(sink);
        assertThat(sink).containsExactly("done");
        assertThat(shapes.inherited("x")).isEqualTo("x0!");
        assertThat(target.calls).containsExactly("none", "none", "primitive", "primitive", "three", "three",
                "four", "four", "nothing", "nothing", "three");
    }

    @Test
    void theCallerGetsTheTargetsOwnExceptionFromEveryShape() {
        IOException down = new IOException("down");
        Shapes target = new Shapes() {
            @Override
            public String none() throws IOException {
                throw down;
            }

            @Override
            public int primitive(int a, long b) throws IOException {
                throw down;
            }

            @Override
            public String three(String a, Integer b, char c) throws IOException {
                throw down;
            }

            @Override
            public String four(String a, String b, String c, String d) throws IOException {
                throw down;
            }

            @Override
            public void nothing(List<String> sink) throws IOException {
                throw down;
            }
        };
        Shapes shapes = Rebound.wrap(Shapes.class, target)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .settings(ReboundSettings.builder().logging(false).build())
                .build();

        assertThat(catchThrowable(shapes::none)).isSameAs(down);
        assertThat(catchThrowable(() -> shapes.primitive(1, 2))).isSameAs(down);
        assertThat(catchThrowable(() -> shapes.three("a", 1, 'c'))).isSameAs(down);
        assertThat(catchThrowable(() -> shapes.four("a", "b", "c", "d"))).isSameAs(down);
        assertThat(catchThrowable(() -> shapes.nothing(new ArrayList<>()))).isSameAs(down);
        assertThat(down.getSuppressed()).isEmpty();
    }
}
