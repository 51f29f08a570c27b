package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.runtime.Fakes.CallLog;
import dev.rebound.runtime.Fakes.ChatClient;
import dev.rebound.runtime.Fakes.ScriptedChat;
import dev.rebound.runtime.ReboundEvent.Kind;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The final event of a call that failed once says how it ended and how long it took. */
class FinalEventsTest {

    final VirtualTimeSource time = new VirtualTimeSource();
    final List<ReboundEvent> events = new ArrayList<>();
    final CallLog log = new CallLog();

    /** Times every call, as a metrics listener does. */
    final ReboundListener timing = new ReboundListener() {
        @Override
        public void onEvent(ReboundEvent event) {
            events.add(event);
        }

        @Override
        public boolean wantsFirstAttemptSuccess() {
            return true;
        }
    };

    private ChatClient wrap(ScriptedChat primary, ScriptedChat backup, ReboundListener listener) {
        return Rebound.wrap(ChatClient.class, (ChatClient) primary)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(300)).jitter(false).build())
                .withFallbacks(backup)
                .settings(ReboundSettings.builder().logging(false).timeSource(time).listener(listener).build())
                .build();
    }

    private ReboundEvent last() {
        return events.get(events.size() - 1);
    }

    @Test
    void aRetrySuccessSaysRetryAndCarriesTheWholeCallsDuration() throws Exception {
        ChatClient llm = wrap(new ScriptedChat("p", log).failing(IOException::new), new ScriptedChat("b", log), timing);

        llm.chat("q");

        assertThat(last().kind()).isEqualTo(Kind.SUCCEEDED);
        assertThat(last().reason()).isEqualTo("retry");
        assertThat(last().attempt()).isEqualTo(2);
        assertThat(last().elapsed()).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void anAlternativesSuccessSaysFallback() throws Exception {
        ChatClient llm = wrap(new ScriptedChat("p", log).failingAlways(IOException::new),
                new ScriptedChat("b", log), timing);

        assertThat(llm.chat("q")).isEqualTo("b: q");

        assertThat(last().kind()).isEqualTo(Kind.SUCCEEDED);
        assertThat(last().reason()).isEqualTo("fallback");
        assertThat(last().elapsed()).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aFinalFailureCarriesTheDurationAndNoDurationWhenNobodyTimesCalls() {
        ChatClient timed = wrap(new ScriptedChat("p", log).failingAlways(IOException::new),
                new ScriptedChat("b", log).failingAlways(IOException::new), timing);
        assertThatThrownBy(() -> timed.chat("q")).isInstanceOf(IOException.class);
        assertThat(last().kind()).isEqualTo(Kind.FAILED);
        assertThat(last().elapsed()).isEqualTo(Duration.ofMillis(300));

        ChatClient untimed = wrap(new ScriptedChat("p", log).failingAlways(IOException::new),
                new ScriptedChat("b", log).failingAlways(IOException::new), events::add);
        assertThatThrownBy(() -> untimed.chat("q")).isInstanceOf(IOException.class);
        assertThat(last().kind()).isEqualTo(Kind.FAILED);
        assertThat(last().elapsed()).isNull();
    }

    @Test
    void aListenerThatThrowsWhenAskedWhetherItTimesSuccessesChangesNoSuccessfulCall() throws Exception {
        List<String> told = new ArrayList<>();
        int[] asked = {0};
        ReboundListener closing = new ReboundListener() {
            @Override
            public void onEvent(ReboundEvent event) {
            }

            @Override
            public boolean wantsFirstAttemptSuccess() {
                if (++asked[0] > 2) { // answered when the settings were built and on the first call: then closed
                    throw new IllegalStateException("meter registry closed");
                }
                return true;
            }

            @Override
            public void onFirstAttemptSuccess(String method, long nanos) {
                told.add(method);
            }
        };
        ChatClient llm = wrap(new ScriptedChat("p", log), new ScriptedChat("b", log), closing);

        assertThat(llm.chat("q1")).isEqualTo("p: q1");
        assertThat(llm.chat("q2")).isEqualTo("p: q2");

        assertThat(log.calls).containsExactly("p #1", "p #2");
        assertThat(told).containsExactly("ChatClient.chat(String)");
        assertThat(asked[0]).isEqualTo(3);
    }

    @Test
    void aListenerThrowingAnErrorOnSuccessNeverReRunsTheCall() throws Exception {
        ChatClient llm = wrap(new ScriptedChat("p", log).failing(IOException::new), new ScriptedChat("b", log),
                e -> {
                    if (e.kind() == Kind.SUCCEEDED) {
                        throw new AssertionError("listener bug");
                    }
                });

        assertThatThrownBy(() -> llm.chat("q")).isInstanceOf(AssertionError.class).hasMessage("listener bug");
        assertThat(log.calls).containsExactly("p #1", "p #2");
    }
}
