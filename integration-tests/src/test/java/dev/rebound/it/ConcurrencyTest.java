package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.woven.NamedGpt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Many threads failing and recovering through the same woven join point at once keep their own calls. */
class ConcurrencyTest extends VirtualTime {

    @Test
    void concurrentRecoveriesDoNotMixTheirCalls() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String model = "m" + i;
                FakeLlm.failFirst(model, 2);
                NamedGpt gpt = new NamedGpt(model);
                answers.add(pool.submit(() -> {
                    start.await();
                    return gpt.invoke("q" + model);
                }));
            }
            start.countDown();
            for (int i = 0; i < threads; i++) {
                assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo("m" + i + ": qm" + i);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> calls = FakeLlm.calls();
        assertThat(calls).hasSize(threads * 3);
        for (int i = 0; i < threads; i++) {
            assertThat(calls).contains("m" + i + " #1", "m" + i + " #2", "m" + i + " #3");
        }
    }
}
