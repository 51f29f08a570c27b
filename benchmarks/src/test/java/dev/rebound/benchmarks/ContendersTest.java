package dev.rebound.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.benchmarks.woven.WovenModel;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The suite compares like with like: on every path, every contender gives the same answer after the
 * same number of attempts (3 in all before the fallback), and the table reads what JMH reports.
 */
class ContendersTest {

    /** Counts the calls that reach the primary. */
    static final class Counting implements Model {
        final Model inner;
        int calls;

        Counting(Model inner) {
            this.inner = inner;
        }

        @Override
        public String chat(String prompt) {
            calls++;
            return inner.chat(prompt);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void everyContenderGivesTheSameAnswerAfterTheSameAttempts(String path, Contenders contenders, String answer,
            int attempts) throws Exception {
        Counting primary = new Counting(contenders.newPrimary());
        contenders.setUp(primary);
        List<String> names = new ArrayList<>();
        for (Method m : Contenders.class.getMethods()) {
            if (m.isAnnotationPresent(Benchmark.class)) {
                names.add(m.getName());
                for (int call = 1; call <= 3; call++) {
                    primary.calls = 0;
                    assertThat(m.invoke(contenders)).as(m.getName()).isEqualTo(answer);
                    assertThat(primary.calls).as(m.getName() + " attempts, call " + call).isEqualTo(attempts);
                }
            }
        }
        assertThat(names).contains("handLoop", "reboundWoven", "reboundGuice", "reboundWrap", "resilience4j",
                "failsafe", "springRetry", "smallRye");
    }

    static Stream<Arguments> paths() {
        return Stream.of(
                Arguments.of("(a) happy: one attempt", new HappyPath(), Subjects.ANSWER, 1),
                Arguments.of("(b) one failure: two attempts", new OneFailureThenSuccess(), Subjects.ANSWER, 2),
                Arguments.of("(c) down: three attempts, then the fallback", new FallbackAnswers(),
                        Subjects.FALLBACK_ANSWER, 3));
    }

    @Test
    void theDirectCallIsOneCall() {
        HappyPath happy = new HappyPath();
        Counting primary = new Counting(happy.newPrimary());
        happy.setUp(primary);

        assertThat(happy.direct()).isEqualTo(Subjects.ANSWER);
        assertThat(primary.calls).isEqualTo(1);
    }

    @Test
    void theUnannotatedMethodOfTheWovenClassRunsOnceWithoutPolicy() {
        Counting down = new Counting(new Subjects.Down());
        WovenModel woven = new WovenModel(down);

        assertThat(catchThrowable(() -> woven.plain("ping"))).isSameAs(TransientFailure.INSTANCE);
        assertThat(down.calls).isEqualTo(1);
        assertThat(woven.chat("ping")).isEqualTo(Subjects.FALLBACK_ANSWER); // while chat is woven
        assertThat(down.calls).isEqualTo(4);

        UnannotatedMethod path = new UnannotatedMethod();
        path.setUp();
        assertThat(path.direct()).isEqualTo(Subjects.ANSWER);
        assertThat(path.reboundWoven()).isEqualTo(Subjects.ANSWER);
    }

    @Test
    void theFloorsAnswerAsTheDirectCall() throws InterruptedException {
        Floors floors = new Floors();
        floors.setUp();

        assertThat(floors.jdkProxyAlone()).isEqualTo(Subjects.ANSWER);
        assertThat(floors.guiceInterceptorAlone()).isEqualTo(Subjects.ANSWER);
        floors.threadSleepZero();
    }

    @Test
    void theTablePutsPathsInRowsAndContendersInColumns() {
        assertThat(ResultTable.cell(2.04, 0.0004)).isEqualTo("2.0 / 0");
        assertThat(ResultTable.cell(126.4, 296.02)).isEqualTo("126 / 296");
    }
}
