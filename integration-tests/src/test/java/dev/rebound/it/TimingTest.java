package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.woven.Timed;
import dev.rebound.it.woven.WovenChat;
import dev.rebound.runtime.ReboundListener;
import dev.rebound.runtime.ReboundSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The start time a woven method takes for its first attempt reaches the engine. */
class TimingTest extends VirtualTime {

    @Test
    void maxDurationCountsFromTheFirstAttemptTheAdviceRan() {
        FakeLlm.failFirst("gpt-4", Integer.MAX_VALUE);

        catchThrowable(() -> new Timed.Gpt4().invoke("q"));

        // 100 ms wait, then the 200 ms wait would end past 250 ms: 2 attempts, not 10
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2");
        assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void aListenerTimingSuccessesHearsEachFirstAttemptSuccessWithItsDuration() {
        List<String> heard = timeSuccesses();

        new Timed.Gpt4().invoke("q");

        assertThat(heard).containsExactly("Llm.invoke(String) 0");
    }

    @Test
    void aMethodWithARetryAloneIsTimedTooOnceAListenerWantsItsSuccesses() {
        // no breaker, budget or deadline: the advice's bare first attempt, which must still see the listener
        new WovenChat.Gpt4().chat("warm");
        List<String> heard = timeSuccesses();

        new WovenChat.Gpt4().chat("q");

        assertThat(heard).containsExactly("WovenChat.chat(String) 0");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2");
    }

    /** Adds a listener timing first-attempt successes to the global settings; returns what it hears. */
    private static List<String> timeSuccesses() {
        List<String> heard = new CopyOnWriteArrayList<>();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().listener(new ReboundListener() {
            @Override
            public void onEvent(dev.rebound.runtime.ReboundEvent event) {
            }

            @Override
            public boolean wantsFirstAttemptSuccess() {
                return true;
            }

            @Override
            public void onFirstAttemptSuccess(String method, long nanos) {
                heard.add(method + " " + nanos);
            }
        }).build());
        return heard;
    }
}
