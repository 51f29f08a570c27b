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

    // --- an alternative's failure that @Fallback.on does not list ends the walk, as itself ----------

    static final CallLog NARROW_LOG = new CallLog();

    interface NarrowChat {
        @Retry(attempts = 2, delay = 10, jitter = false)
        @Fallback(to = {BuggyBackup.class, LastResort.class}, on = IOException.class)
        String chat(String prompt) throws IOException;
    }

    public static class NarrowPrimary implements NarrowChat {
        static final List<IOException> THROWN = new ArrayList<>();

        @Override
        public String chat(String prompt) throws IOException {
            NARROW_LOG.calls.add("primary #" + (NARROW_LOG.count("primary") + 1));
            IOException e = new IOException("primary down");
            THROWN.add(e);
            throw e;
        }
    }

    public static class BuggyBackup implements NarrowChat {
        static final List<NullPointerException> THROWN = new ArrayList<>();

        @Override
        public String chat(String prompt) {
            NARROW_LOG.calls.add("buggy #" + (NARROW_LOG.count("buggy") + 1));
            NullPointerException e = new NullPointerException("bug in the backup");
            THROWN.add(e);
            throw e;
        }
    }

    public static class LastResort implements NarrowChat {
        @Override
        public String chat(String prompt) {
            NARROW_LOG.calls.add("last #" + (NARROW_LOG.count("last") + 1));
            return "last resort";
        }
    }

    static void clearNarrow() {
        NARROW_LOG.calls.clear();
        NarrowPrimary.THROWN.clear();
        BuggyBackup.THROWN.clear();
    }

    /**
     * {@code on} judges every hand-over, the alternatives' failures too (on a {@code @NonIdempotent} method it
     * names the failures safe to send again): a bug in the backup ends the call, and the caller gets that
     * bug, not the primary's IOException that would hide it.
     */
    @Test
    void anAlternativesFailureThatOnDoesNotListEndsTheFallbacksAndIsWhatTheCallerGets() {
        clearNarrow();
        NarrowChat llm = Rebound.wrap(NarrowChat.class, new NarrowPrimary()).settings(settings).build();

        Throwable thrown = catchThrowable(() -> llm.chat("q"));

        assertThat(NARROW_LOG.calls).containsExactly("primary #1", "primary #2", "buggy #1");
        assertThat(thrown).isSameAs(BuggyBackup.THROWN.get(0));
        assertThat(thrown.getSuppressed()).containsExactlyElementsOf(NarrowPrimary.THROWN);
        assertThat(time.sleeps()).containsExactly(Duration.ofMillis(10));
        assertThat(events).last().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(ReboundEvent.Kind.FAILED);
            assertThat(e.target()).isEqualTo("BuggyBackup");
            assertThat(e.failure()).isSameAs(thrown);
        });
    }

    /** The stop is told by default, at WARN: the alternative and the failure's class, never its message. */
    @Test
    void theAlternativeWhoseFailureEndedTheFallbacksIsNamedAtWarnWithoutTheMessage() {
        clearNarrow();
        NarrowChat llm = Rebound.wrap(NarrowChat.class, new NarrowPrimary())
                .settings(ReboundSettings.builder().timeSource(time).build()).build();

        Throwable[] thrown = new Throwable[1];
        String out = StdErr.during(() -> thrown[0] = catchThrowable(() -> llm.chat("q")));

        assertThat(thrown[0]).isSameAs(BuggyBackup.THROWN.get(0));
        assertThat(out).contains("WARN dev.rebound - NarrowChat.chat(String): falling back "
                + "from NarrowPrimary to BuggyBackup after java.io.IOException")
                .contains("WARN dev.rebound - NarrowChat.chat(String): failed for good on "
                        + "BuggyBackup, throwing java.lang.NullPointerException")
                .doesNotContain("LastResort").doesNotContain("bug in the backup").doesNotContain("primary down");
    }

    /**
     * The last alternative's failure is judged by the same rule: one that {@code on} lists leaves the
     * primary's last failure to the caller; one it does not list is what the caller gets.
     */
    @Test
    void theLastAlternativesFailureIsJudgedByTheSameRule() {
        IOException p1 = new IOException("p1");
        IOException p2 = new IOException("p2");
        IOException listed = new IOException("listed");
        IllegalStateException unlisted = new IllegalStateException("unlisted");
        ChatClient listedLast = Rebound.wrap(ChatClient.class, (ChatClient) new ScriptedChat("gpt-4", log).failing(() -> p1))
                .withFallbacks(new ScriptedChat("backup", log).failing(() -> listed))
                .fallbackOn(IOException.class).settings(settings).build();
        ChatClient unlistedLast = Rebound.wrap(ChatClient.class, (ChatClient) new ScriptedChat("gpt-4", log).failing(() -> p2))
                .withFallbacks(new ScriptedChat("backup", log).failing(() -> unlisted))
                .fallbackOn(IOException.class).settings(settings).build();

        Throwable first = catchThrowable(() -> listedLast.chat("q"));
        Throwable second = catchThrowable(() -> unlistedLast.chat("q"));

        assertThat(first).isSameAs(p1);
        assertThat(first.getSuppressed()).containsExactly(listed);
        assertThat(second).isSameAs(unlisted);
        assertThat(second.getSuppressed()).containsExactly(p2);
    }

    interface SkippingChat {
        @Retry(attempts = 1)
        @Fallback(to = {TimingOutBackup.class, SkippedLastResort.class}, skipOn = SocketTimeoutException.class)
        String chat(String prompt) throws IOException;
    }

    public static class SkippingPrimary implements SkippingChat {
        @Override
        public String chat(String prompt) throws IOException {
            return new NarrowPrimary().chat(prompt);
        }
    }

    public static class TimingOutBackup implements SkippingChat {
        static final List<SocketTimeoutException> THROWN = new ArrayList<>();

        @Override
        public String chat(String prompt) throws IOException {
            NARROW_LOG.calls.add("timing-out #" + (NARROW_LOG.count("timing-out") + 1));
            SocketTimeoutException e = new SocketTimeoutException("maybe sent");
            THROWN.add(e);
            throw e;
        }
    }

    public static class SkippedLastResort implements SkippingChat {
        @Override
        public String chat(String prompt) {
            NARROW_LOG.calls.add("last #" + (NARROW_LOG.count("last") + 1));
            return "last resort";
        }
    }

    /** {@code skipOn} too: an alternative's failure it lists ends the walk as itself. */
    @Test
    void anAlternativesFailureThatSkipOnListsEndsTheFallbacksAsItself() {
        clearNarrow();
        TimingOutBackup.THROWN.clear();
        SkippingChat llm = Rebound.wrap(SkippingChat.class, new SkippingPrimary()).settings(settings).build();

        Throwable thrown = catchThrowable(() -> llm.chat("q"));

        assertThat(NARROW_LOG.calls).containsExactly("primary #1", "timing-out #1");
        assertThat(thrown).isSameAs(TimingOutBackup.THROWN.get(0));
        assertThat(thrown.getSuppressed()).containsExactlyElementsOf(NarrowPrimary.THROWN);
    }

    interface AsyncNarrowChat {
        @Retry(attempts = 2, delay = 10, jitter = false)
        @Fallback(to = {AsyncBuggyBackup.class, AsyncLastResort.class}, on = IOException.class)
        java.util.concurrent.CompletableFuture<String> chat(String prompt);
    }

    public static class AsyncNarrowPrimary implements AsyncNarrowChat {
        @Override
        public java.util.concurrent.CompletableFuture<String> chat(String prompt) {
            NARROW_LOG.calls.add("primary #" + (NARROW_LOG.count("primary") + 1));
            IOException e = new IOException("primary down");
            NarrowPrimary.THROWN.add(e);
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    public static class AsyncBuggyBackup implements AsyncNarrowChat {
        @Override
        public java.util.concurrent.CompletableFuture<String> chat(String prompt) {
            NARROW_LOG.calls.add("buggy #" + (NARROW_LOG.count("buggy") + 1));
            NullPointerException e = new NullPointerException("bug in the backup");
            BuggyBackup.THROWN.add(e);
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    public static class AsyncLastResort implements AsyncNarrowChat {
        @Override
        public java.util.concurrent.CompletableFuture<String> chat(String prompt) {
            NARROW_LOG.calls.add("last #" + (NARROW_LOG.count("last") + 1));
            return java.util.concurrent.CompletableFuture.completedFuture("last resort");
        }
    }

    @Test
    void asynchronouslyAnAlternativesFailureThatOnDoesNotListEndsTheFallbacksAsItself() {
        clearNarrow();
        AsyncNarrowChat llm = Rebound.wrap(AsyncNarrowChat.class, new AsyncNarrowPrimary()).settings(settings).build();

        java.util.concurrent.CompletableFuture<String> answer = llm.chat("q");
        time.runScheduled();
        Throwable thrown = catchThrowable(answer::join);

        assertThat(NARROW_LOG.calls).containsExactly("primary #1", "primary #2", "buggy #1");
        assertThat(thrown).isInstanceOf(java.util.concurrent.CompletionException.class);
        assertThat(thrown.getCause()).isSameAs(BuggyBackup.THROWN.get(0));
        assertThat(thrown.getCause().getSuppressed()).containsExactlyElementsOf(NarrowPrimary.THROWN);
        assertThat(events).last().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(ReboundEvent.Kind.FAILED);
            assertThat(e.target()).isEqualTo("AsyncBuggyBackup");
        });
    }
}
