package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.name.Names;
import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.plain.Endpoint;
import dev.rebound.it.plain.PlainChat;
import dev.rebound.it.plain.PlainGpt4;
import dev.rebound.it.seed.RetryAndFallback;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.observation.ObservationTracer;
import dev.rebound.weaver.guice.ReboundModule;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Woven code and Guice-intercepted code run on the global settings, read live: a tracer set after
 * the methods were first called traces them from then on, the first attempt included (the door
 * hands it to the chain).
 */
class DoorTracingTest extends VirtualTime {

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

    @Test
    void aTracerSetGloballyTracesTheMethodsTheGuiceModuleIntercepts() {
        PlainChat chat = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Endpoint.class).annotatedWith(Names.named("gpt-4")).toInstance(new Endpoint("gpt-4"));
                bind(Endpoint.class).annotatedWith(Names.named("gpt-3.5")).toInstance(new Endpoint("gpt-3.5"));
                bind(PlainChat.class).to(PlainGpt4.class);
            }
        }).getInstance(PlainChat.class);
        chat.chat("before");                            // untraced: no tracer yet
        Recorder recorder = new Recorder();
        ObservationRegistry registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(recorder);
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().tracer(new ObservationTracer(registry))
                .build());
        FakeLlm.reset();
        FakeLlm.failFirst("gpt-4", 1);

        assertThat(chat.chat("hi")).isEqualTo("gpt-4: hi");

        assertThat(recorder.ended).containsExactly(
                "attempt PlainGpt4 < PlainChat.chat [rebound.outcome=failure, rebound.wait.reason=backoff]",
                "attempt PlainGpt4 < PlainChat.chat [rebound.outcome=success]",
                "PlainChat.chat < - [rebound.outcome=success_after_retry]");
    }
}
