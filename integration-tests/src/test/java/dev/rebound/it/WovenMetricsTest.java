package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.llm.LlmUnavailableException;
import dev.rebound.it.seed.RetryAndFallback;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.metrics.MicrometerListener;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Metrics through the woven door: the aspect runs the first attempt itself and hands the engine its
 * start time, so first-attempt successes are counted and timed as well as the recovered calls.
 */
class WovenMetricsTest extends VirtualTime {

    @Test
    void theSeedsRetryAndFallbackExampleGivesExactCountsAndDurations() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder()
                .listener(new MicrometerListener(registry)).build());
        RetryAndFallback.Gpt4 gpt4 = new RetryAndFallback.Gpt4();

        gpt4.invoke("a");                                  // success: 1 attempt
        FakeLlm.reset();
        FakeLlm.failFirst("gpt-4", 1);
        gpt4.invoke("b");                                  // success after retry: 2 attempts, 200 ms
        FakeLlm.reset();
        FakeLlm.failFirst("gpt-4", 2);
        gpt4.invoke("c");                                  // fallback: 3 attempts, 200 ms
        FakeLlm.reset();
        FakeLlm.failFirst("gpt-4", 2);
        FakeLlm.failFirst("gpt-3.5", 2);
        Throwable thrown = catchThrowable(() -> gpt4.invoke("d")); // failure: 4 attempts, 200 + 200 ms

        assertThat(thrown).isInstanceOf(LlmUnavailableException.class);
        for (String outcome : new String[] {"success", "success_after_retry", "fallback", "failure"}) {
            assertThat(registry.get(MicrometerListener.CALLS).tag("interface", "Llm").tag("method", "invoke")
                    .tag("outcome", outcome).counter().count()).as(outcome).isEqualTo(1);
        }
        // 1 + 2 + 3 + 4 attempts: on gpt-4 1 + 2 + 2 + 2, on its fallback 1 + 2
        assertThat(registry.get(MicrometerListener.ATTEMPTS).tag("target", "Gpt4").counter().count())
                .isEqualTo(1 + 2 + 2 + 2);
        assertThat(registry.get(MicrometerListener.ATTEMPTS).tag("target", "Gpt35").counter().count())
                .isEqualTo(1 + 2);
        assertThat(registry.get(MicrometerListener.FALLBACKS).tag("from", "Gpt4").tag("to", "Gpt35").counter()
                .count()).isEqualTo(2);
        Timer timer = registry.get(MicrometerListener.DURATION).timer();
        assertThat(timer.count()).isEqualTo(4);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(200 + 200 + 400);
    }
}
