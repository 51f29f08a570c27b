package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Fakes.CallLog;
import dev.rebound.runtime.Fakes.ChatClient;
import dev.rebound.runtime.Fakes.ScriptedChat;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Semantics 1 and 3: fallback wraps retry, the chain is flat, nothing is lost. */
class RetryAndFallbackOrderTest {

    final VirtualTimeSource time = new VirtualTimeSource();
    final List<ReboundEvent> events = new ArrayList<>();
    final ReboundSettings settings = Fakes.settings(time, events);
    final CallLog log = new CallLog();

    RetryPolicy twoAttempts() {
        return RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(100)).jitter(false).build();
    }

    @Test
    void retriesTransientFailureUntilSuccess() throws Exception {
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failing(IOException::new, IOException::new);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) gpt4)
                .withRetry(RetryPolicy.builder().attempts(3).jitter(true).build())
                .settings(settings).build();

        assertThat(llm.chat("hi")).isEqualTo("gpt-4: hi");
        assertThat(log.calls).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
        assertThat(time.sleeps()).hasSize(2);
    }

    @Test
    void primaryRetriesThenEachFallbackRetriesInTheSeedsOrder() throws Exception {
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failingAlways(IOException::new);
        ScriptedChat gpt35 = new ScriptedChat("gpt-3.5", log).failing(IOException::new);
        ChatClient secondary = Rebound.wrap(ChatClient.class, (ChatClient) gpt35)
                .withRetry(twoAttempts()).settings(settings).build();
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) gpt4)
                .withRetry(twoAttempts()).withFallbacks(secondary).settings(settings).build();

        assertThat(llm.chat("q")).isEqualTo("gpt-3.5: q");
        assertThat(log.calls).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-3.5 #1", "gpt-3.5 #2");
    }

    @Test
    void fallbacksAreTriedInPriorityOrderAndFirstSuccessWins() throws Exception {
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failingAlways(IOException::new);
        ScriptedChat gpt35 = new ScriptedChat("gpt-3.5-turbo", log).failingAlways(IOException::new);
        ScriptedChat gpt35k = new ScriptedChat("gpt-3.5-turbo-16k", log);
        ScriptedChat never = new ScriptedChat("never", log);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) gpt4).named("gpt-4")
                .withFallbacks(named(gpt35), named(gpt35k), named(never)).settings(settings).build();

        assertThat(llm.chat("q")).isEqualTo("gpt-3.5-turbo-16k: q");
        assertThat(log.calls).containsExactly("gpt-4 #1", "gpt-3.5-turbo #1", "gpt-3.5-turbo-16k #1");
        assertThat(events).filteredOn(e -> e.kind() == ReboundEvent.Kind.FALLBACK)
                .extracting(ReboundEvent::target, ReboundEvent::alternative)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("gpt-4", "gpt-3.5-turbo"),
                        org.assertj.core.groups.Tuple.tuple("gpt-3.5-turbo", "gpt-3.5-turbo-16k"));
        assertThat(llm.toString()).isEqualTo("Rebound(gpt-4)");
    }

    @Test
    void whenEverythingFailsTheCallerGetsThePrimarysLastExceptionWithTheWholeHistory() {
        IOException p1 = new IOException("p1");
        SocketTimeoutException p2 = new SocketTimeoutException("p2");
        IOException s1 = new IOException("s1");
        IOException t1 = new IOException("t1");
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failing(() -> p1, () -> p2);
        ScriptedChat gpt35 = new ScriptedChat("gpt-3.5", log).failing(() -> s1);
        ScriptedChat gpt35k = new ScriptedChat("gpt-3.5-16k", log).failing(() -> t1);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) gpt4)
                .withRetry(twoAttempts()).withFallbacks(gpt35, gpt35k).settings(settings).build();

        Throwable thrown = catchThrowable(() -> llm.chat("q"));

        assertThat(thrown).isSameAs(p2);
        assertThat(thrown.getSuppressed()).containsExactly(p1, s1, t1);
        assertThat(events).last().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(ReboundEvent.Kind.FAILED);
            assertThat(e.failure()).isSameAs(p2);
        });
    }

    @Test
    void checkedExceptionsStayCatchableAsTheirOwnType() {
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failingAlways(() -> new IOException("down"));
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) gpt4)
                .withRetry(twoAttempts()).settings(settings).build();

        assertThatThrownBy(() -> llm.chat("q")).isExactlyInstanceOf(IOException.class).hasMessage("down");
    }

    @Test
    void aPreAllocatedExceptionIsNeverSuppressedOnItselfNorAddedTwice() {
        IOException shared = new IOException("shared");
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failingAlways(() -> shared);
        ScriptedChat gpt35 = new ScriptedChat("gpt-3.5", log).failingAlways(() -> shared);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) gpt4)
                .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build())
                .withFallbacks(gpt35).settings(settings).build();

        for (int i = 0; i < 5; i++) {
            assertThat(catchThrowable(() -> llm.chat("q"))).isSameAs(shared);
        }
        assertThat(shared.getSuppressed()).isEmpty();
        assertThat(log.count("gpt-4")).isEqualTo(15);
    }

    ChatClient named(ScriptedChat model) {
        return Rebound.wrap(ChatClient.class, (ChatClient) model).named(model.name).settings(settings).build();
    }

    // --- the same through annotations -------------------------------------------------------

    interface AnnotatedChat {
        @Retry(attempts = 2, delay = 100, jitter = false)
        @Fallback(to = Gpt35.class)
        String chat(String prompt) throws IOException;
    }

    static final CallLog ANNOTATED_LOG = new CallLog();

    public static class Gpt4 implements AnnotatedChat {
        @Override
        public String chat(String prompt) throws IOException {
            ANNOTATED_LOG.calls.add("gpt-4 #" + (ANNOTATED_LOG.count("gpt-4") + 1));
            throw new IOException("gpt-4 down");
        }
    }

    public static class Gpt35 implements AnnotatedChat {
        @Override
        public String chat(String prompt) throws IOException {
            int n = ANNOTATED_LOG.count("gpt-3.5") + 1;
            ANNOTATED_LOG.calls.add("gpt-3.5 #" + n);
            if (n == 1) {
                throw new IOException("gpt-3.5 blip");
            }
            return "gpt-3.5: " + prompt;
        }
    }

    @Test
    void annotationsGiveTheSameOrderAndEachAlternativeRunsUnderItsOwnRetry() throws Exception {
        ANNOTATED_LOG.calls.clear();
        AnnotatedChat llm = Rebound.wrap(AnnotatedChat.class, new Gpt4()).settings(settings).build();

        assertThat(llm.chat("q")).isEqualTo("gpt-3.5: q");
        assertThat(ANNOTATED_LOG.calls).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-3.5 #1", "gpt-3.5 #2");
        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(100));
    }

    @Test
    void anInterfaceLevelFallbackDoesNotMakeTheAlternativeFallBackToItself() throws Exception {
        ANNOTATED_LOG.calls.clear();
        AnnotatedChat direct = Rebound.wrap(AnnotatedChat.class, new Gpt35()).settings(settings).build();

        assertThat(direct.chat("q")).isEqualTo("gpt-3.5: q");
        assertThat(ANNOTATED_LOG.calls).containsExactly("gpt-3.5 #1", "gpt-3.5 #2");
    }

    @Test
    void methodsWithoutAPolicyAndObjectMethodsPassStraightThrough() throws Exception {
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) gpt4).settings(settings).build();

        assertThat(llm.model()).isEqualTo("gpt-4");
        assertThat(llm.chat("q")).isEqualTo("gpt-4: q");
        assertThat(llm.toString()).isEqualTo("Rebound(ScriptedChat)");
        assertThat(llm).isEqualTo(llm).isNotEqualTo(gpt4);
        assertThat(events).isEmpty();
    }
}
