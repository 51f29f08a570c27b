package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.seed.RetryAndFallback;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.observation.ObservationTracer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Woven code runs on the global settings, read live: a tracer set after the methods were first
 * called traces them from then on, the first attempt included (the aspect hands it to the chain).
 */
class WovenTracingTest extends VirtualTime {

    /** Every observation that ended: its span name, its parent's, and its keys. */
    static final class Recorder implements ObservationHandler<Observation.Context> {
        final List<String> ended = new CopyOnWriteArrayList<>();

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }

        @Override
        public void onStop(Observation.Context c) {
            String parent = c.getParentObservation() == null ? "-"
                    : c.getParentObservation().getContextView().getContextualName();
            ended.add(c.getContextualName() + " < " + parent + " " + c.getLowCardinalityKeyValues().stream()
                    .filter(kv -> kv.getKey().equals("rebound.outcome") || kv.getKey().equals("rebound.wait.reason"))
                    .map(kv -> kv.getKey() + "=" + kv.getValue()).toList());
        }
    }

    @Test
    void aTracerSetAfterTheFirstCallsTracesEveryAttemptOfWovenMethodsFromThenOn() {
        RetryAndFallback.Gpt4 gpt4 = new RetryAndFallback.Gpt4();
        gpt4.invoke("before");                          // untraced: no tracer yet (attempt 1 runs inline)
        Recorder recorder = new Recorder();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(recorder);
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().tracer(new ObservationTracer(registry))
                .build());

        gpt4.invoke("a");                               // first attempt answers
        FakeLlm.reset();
        FakeLlm.failFirst("gpt-4", 2);
        gpt4.invoke("b");                               // gpt-4 fails twice, gpt-3.5 answers

        assertThat(recorder.ended).containsExactly(
                "attempt Gpt4 < Llm.invoke [rebound.outcome=success]",
                "Llm.invoke < - [rebound.outcome=success]",
                "attempt Gpt4 < Llm.invoke [rebound.outcome=failure, rebound.wait.reason=backoff]",
                "attempt Gpt4 < Llm.invoke [rebound.outcome=failure]",
                "attempt Gpt35 < fallback Gpt35 [rebound.outcome=success]",
                "fallback Gpt35 < Llm.invoke []",
                "Llm.invoke < - [rebound.outcome=fallback]");
    }
}
