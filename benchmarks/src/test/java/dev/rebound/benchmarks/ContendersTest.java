package dev.rebound.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
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

    @Test
    void onTheHappyPathEveryContenderAnswersAfterOneAttempt() throws Exception {
        Counting subject = new Counting(new Subjects.Healthy());
        HappyPath path = new HappyPath() {
            @Override
            Model newPrimary() {
                return subject; // not 'primary': that is the inherited field
            }
        };
        assertEveryContender(path, subject, Subjects.ANSWER, 1);
    }

    @Test
    void afterOneFailureEveryContenderRetriesOnceAndAnswers() throws Exception {
        Counting subject = new Counting(new Subjects.FailsOnce());
        OneFailureThenSuccess path = new OneFailureThenSuccess() {
            @Override
            Model newPrimary() {
                return subject; // not 'primary': that is the inherited field
            }
        };
        assertEveryContender(path, subject, Subjects.ANSWER, 2);
    }

    @Test
    void whenThePrimaryIsDownEveryContenderMakesThreeAttemptsThenFallsBack() throws Exception {
        Counting subject = new Counting(new Subjects.Down());
        FallbackAnswers path = new FallbackAnswers() {
            @Override
            Model newPrimary() {
                return subject; // not 'primary': that is the inherited field
            }
        };
        assertEveryContender(path, subject, Subjects.FALLBACK_ANSWER, 3);
    }

    @Test
    void theTablePutsPathsInRowsAndContendersInColumns() {
        assertThat(ResultTable.cell(2.04, 0.0004)).isEqualTo("2.0 / 0");
        assertThat(ResultTable.cell(126.4, 296.02)).isEqualTo("126 / 296");
    }

    private static void assertEveryContender(Contenders path, Counting primary, String answer, int attempts)
            throws Exception {
        path.setUp();
        List<String> contenders = new ArrayList<>();
        for (Method m : path.getClass().getSuperclass().getMethods()) {
            if (!m.isAnnotationPresent(Benchmark.class)) {
                continue;
            }
            contenders.add(m.getName());
            for (int call = 1; call <= 3; call++) {
                primary.calls = 0;
                assertThat(m.invoke(path)).as(m.getName()).isEqualTo(answer);
                int expected = m.getName().equals("direct") ? 1 : attempts;
                assertThat(primary.calls).as(m.getName() + " attempts, call " + call).isEqualTo(expected);
            }
        }
        assertThat(contenders).contains("handLoop", "reboundWrap", "resilience4j", "failsafe", "springRetry",
                "smallRye");
    }
}
