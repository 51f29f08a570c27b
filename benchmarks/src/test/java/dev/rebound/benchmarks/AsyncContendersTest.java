package dev.rebound.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

/** The asynchronous contenders compare like with like: the same answer, the same attempts. */
class AsyncContendersTest {

    private static List<String> answers(AsyncContenders contenders, int[] attempts) throws Exception {
        AsyncContenders.AsyncModel inner = contenders.newPrimary();
        contenders.setUp(prompt -> {
            attempts[0]++;
            return inner.chat(prompt);
        });
        List<String> out = new ArrayList<>();
        try {
            for (Method m : AsyncContenders.class.getMethods()) {
                if (m.isAnnotationPresent(Benchmark.class) && !m.getName().startsWith("floor")) {
                    attempts[0] = 0;
                    out.add(m.getName() + "=" + m.invoke(contenders) + "@" + attempts[0]);
                }
            }
        } finally {
            contenders.tearDown();
        }
        return out;
    }

    @Test
    void onTheHappyPathEachAnswersAtTheFirstAttempt() throws Exception {
        assertThat(answers(new AsyncHappyPath(), new int[1])).containsExactlyInAnyOrder(
                "reboundWrapAsync=answer: ping@1", "resilience4jAsync=answer: ping@1", "failsafeAsync=answer: ping@1");
    }

    @Test
    void afterOneFailureEachAnswersAtTheSecondAttempt() throws Exception {
        assertThat(answers(new AsyncOneFailureThenSuccess(), new int[1])).containsExactlyInAnyOrder(
                "reboundWrapAsync=answer: ping@2", "resilience4jAsync=answer: ping@2", "failsafeAsync=answer: ping@2");
    }
}
