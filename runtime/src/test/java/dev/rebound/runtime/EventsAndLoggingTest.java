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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Semantics 7: every step is an event; the default log shows it and never leaks data. */
class EventsAndLoggingTest {

    static final String SECRET_PROMPT = "my card is 4111-1111-1111-1111";
    static final String SECRET_MESSAGE = "upstream said: sk-live-SECRETKEY123";

    @Test
    void everyFailedAttemptRetryFallbackAndOutcomeIsAnEvent() throws Exception {
        VirtualTimeSource time = new VirtualTimeSource();
        List<ReboundEvent> events = new ArrayList<>();
        CallLog log = new CallLog();
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failingAlways(IOException::new);
        ScriptedChat gpt35 = new ScriptedChat("gpt-3.5", log);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) gpt4)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(250)).jitter(false).build())
                .withFallbacks(gpt35).settings(Fakes.settings(time, events)).build();

        llm.chat("q");

        assertThat(events).extracting(ReboundEvent::kind).containsExactly(Kind.ATTEMPT_FAILED,
                Kind.RETRY_SCHEDULED, Kind.ATTEMPT_FAILED, Kind.RETRIES_EXHAUSTED, Kind.FALLBACK, Kind.SUCCEEDED);
        ReboundEvent retry = events.get(1);
        assertThat(retry.method()).isEqualTo("ChatClient.chat(String)");
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(retry.waitTime()).isEqualTo(Duration.ofMillis(250));
        assertThat(retry.reason()).isEqualTo("backoff");
        assertThat(events.get(3).reason()).isEqualTo("attempts");
    }

    @Test
    void theDefaultLogShowsRetriesFallbacksAndFailuresWithoutArgumentsOrMessages() {
        String out = StdErr.during(() -> {
            CallLog log = new CallLog();
            ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failingAlways(() -> new IOException(SECRET_MESSAGE));
            ScriptedChat gpt35 = new ScriptedChat("gpt-3.5", log)
                    .failingAlways(() -> new IllegalStateException(SECRET_MESSAGE));
            ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) gpt4)
                    .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(5)).build())
                    .withFallbacks(gpt35)
                    .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource()).build()).build();
            try {
                llm.chat(SECRET_PROMPT);
            } catch (Exception expected) {
                assertThat(expected.getMessage()).isEqualTo(SECRET_MESSAGE);
            }
        });

        assertThat(out).contains("INFO dev.rebound - ChatClient.chat(String) on ScriptedChat: retrying after java.io.IOException:"
                + " attempt 2 in")
                .contains("WARN dev.rebound - ChatClient.chat(String): falling back from ScriptedChat to ScriptedChat#1"
                        + " after java.io.IOException") // the backup, of the primary's class, told apart
                .contains("WARN dev.rebound - ChatClient.chat(String): failed for good")
                .doesNotContain(SECRET_PROMPT).doesNotContain("SECRETKEY").doesNotContain("4111");
    }

    @Test
    void aRetryOfARejectedResultSaysSoInItsLine() {
        String out = StdErr.during(() -> {
            AtomicInteger calls = new AtomicInteger();
            ChatClient blankFirst = prompt -> calls.incrementAndGet() == 1 ? "" : "answer";
            ChatClient llm = Rebound.wrap(ChatClient.class, blankFirst)
                    .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ofMillis(5)).jitter(false)
                            .retryOnResult((String r) -> r.isBlank()).build())
                    .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource()).build()).build();
            try {
                assertThat(llm.chat("q")).isEqualTo("answer");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        assertThat(out).contains("INFO dev.rebound - ChatClient.chat(String) on EventsAndLoggingTest$$Lambda: retrying"
                + " after a rejected result: attempt 2 in 5 ms (backoff)");
    }

    @Test
    void aLambdaTargetIsNamedByWhereItWasWrittenNotByItsRunToRunClassName() {
        List<ReboundEvent> events = new ArrayList<>();
        ChatClient lambda = prompt -> {
            throw new IOException("down");
        };
        assertThat(lambda.getClass().getSimpleName()).as("a hidden class's name").contains("/0x");
        ChatClient llm = Rebound.wrap(ChatClient.class, lambda)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .settings(Fakes.settings(new VirtualTimeSource(), events)).build();

        assertThatThrownBy(() -> llm.chat("q")).isInstanceOf(IOException.class);

        assertThat(events).extracting(ReboundEvent::target).containsOnly("EventsAndLoggingTest$$Lambda");
    }

    @Test
    void anAnonymousTargetAndAlternativeAreNamedWithoutTheirPackageAsTheOtherDoorsNameThem() throws Exception {
        List<ReboundEvent> events = new ArrayList<>();
        ChatClient primary = new ChatClient() {
            @Override
            public String chat(String prompt) throws IOException {
                throw new IOException("down");
            }
        };
        ChatClient backup = new ChatClient() {
            @Override
            public String chat(String prompt) {
                return "backup";
            }
        };
        ChatClient llm = Rebound.wrap(ChatClient.class, primary)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .withFallbacks(backup)
                .settings(Fakes.settings(new VirtualTimeSource(), events)).build();

        assertThat(llm.chat("q")).isEqualTo("backup");

        String primaryName = primary.getClass().getName().substring("dev.rebound.runtime.".length());
        String backupName = backup.getClass().getName().substring("dev.rebound.runtime.".length());
        assertThat(events).filteredOn(e -> e.kind() == Kind.RETRY_SCHEDULED).extracting(ReboundEvent::target)
                .containsExactly(primaryName);
        assertThat(events).filteredOn(e -> e.kind() == Kind.FALLBACK).extracting(ReboundEvent::alternative)
                .containsExactly(backupName);
        assertThat(primaryName).isEqualTo(dev.rebound.runtime.spi.Policies.simpleName(primary.getClass()));
    }

    /** events.md: a fallback handler is named as any target is, an anonymous one Outer$1 (not "FallbackHandler"). */
    @Test
    void anAnonymousFallbackHandlerIsNamedAsAnAnonymousTargetIs() throws Exception {
        List<ReboundEvent> events = new ArrayList<>();
        FallbackHandler handler = new FallbackHandler() {
            @Override
            public Object handle(FallbackContext call) {
                return "handled";
            }
        };
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) prompt -> {
            throw new IOException("down");
        }).withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build()).withFallbackHandler(handler)
                .settings(Fakes.settings(new VirtualTimeSource(), events)).build();

        assertThat(llm.chat("q")).isEqualTo("handled");

        String handlerName = handler.getClass().getName().substring("dev.rebound.runtime.".length());
        assertThat(handlerName).startsWith("EventsAndLoggingTest$");
        assertThat(events).filteredOn(e -> e.kind() == Kind.FALLBACK).extracting(ReboundEvent::alternative)
                .containsExactly(handlerName);
        assertThat(events).filteredOn(e -> e.kind() == Kind.SUCCEEDED).extracting(ReboundEvent::target)
                .containsExactly(handlerName);
    }

    @Test
    void anEventsStringNamesClassesOnly() {
        ReboundEvent e = new ReboundEvent(Kind.RETRY_SCHEDULED, "ChatClient.chat(String)", "Gpt4Client", null, 2,
                Duration.ofMillis(300), "backoff", new IOException(SECRET_MESSAGE));

        assertThat(e.toString()).isEqualTo("RETRY_SCHEDULED ChatClient.chat(String) target=Gpt4Client attempt=2 "
                + "wait=300ms reason=backoff failure=java.io.IOException");
    }

    @Test
    void aThrowingListenerNeverChangesTheOutcome() throws Exception {
        CallLog log = new CallLog();
        ScriptedChat gpt4 = new ScriptedChat("gpt-4", log).failing(IOException::new);
        ChatClient llm = Rebound.wrap(ChatClient.class, (ChatClient) gpt4)
                .withRetry(RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build())
                .settings(ReboundSettings.builder().logging(false).listener(e -> {
                    throw new IllegalStateException("listener bug");
                }).build()).build();

        assertThat(llm.chat("q")).isEqualTo("gpt-4: q");
        assertThat(log.calls).containsExactly("gpt-4 #1", "gpt-4 #2");
    }

    /** Only these tests wrap it: the warning is logged once per wrapper name or method. */
    public interface UnretriedAnswers {
        String answer(String question);
    }

    /** The same mistake written as annotations. */
    public interface AnnotatedUnretriedAnswers {
        @dev.rebound.annotations.Fallback(to = CannedAnswers.class)
        String answer(String question);
    }

    public static final class CannedAnswers implements AnnotatedUnretriedAnswers {
        @Override
        public String answer(String question) {
            return "canned";
        }
    }

    @Test
    void aFallbackWithoutRetryGivenToTheBuilderIsWarnedOnceInTheBuildersWords() {
        UnretriedAnswers primary = q -> "primary";
        UnretriedAnswers backup = q -> "backup";

        String out = StdErr.during(() -> {
            Rebound.wrap(UnretriedAnswers.class, primary).withFallbacks(backup).build();
            Rebound.wrap(UnretriedAnswers.class, primary).named("again").withFallbacks(backup).build();
        });
        String retried = StdErr.during(() -> Rebound.wrap(UnretriedAnswers.class, primary)
                .withRetry(RetryPolicy.builder().attempts(2).build()).withFallbacks(backup).build());

        String warning = "WARN dev.rebound - Rebound.wrap(UnretriedAnswers) has withFallbacks but no withRetry: one"
                + " transient failure sends every call to the fallback. Add withRetry, or set"
                + " -Drebound.warnFallbackWithoutRetry=false if that is intended.";
        assertThat(out.split(java.util.regex.Pattern.quote(warning), -1).length - 1).as("times warned").isEqualTo(1);
        assertThat(out).doesNotContain("@Fallback").doesNotContain("@Retry");
        assertThat(retried).doesNotContain("no withRetry");
    }

    @Test
    void aFallbackWithoutRetryAnnotatedIsWarnedInTheAnnotationsWordsThroughWrap() {
        AnnotatedUnretriedAnswers primary = q -> "primary";

        String out = StdErr.during(() -> Rebound.wrap(AnnotatedUnretriedAnswers.class, primary).build());

        assertThat(out).contains("WARN dev.rebound - AnnotatedUnretriedAnswers.answer(String) has @Fallback but no"
                + " @Retry: one transient failure sends every call to the fallback. Add @Retry, or set"
                + " -Drebound.warnFallbackWithoutRetry=false if that is intended.");
    }

    /** The mistake with a handler instead of alternatives: a fallback all the same. */
    public interface HandledUnretriedAnswers {
        @dev.rebound.annotations.Fallback(to = {}, handler = CannedHandler.class)
        String answer(String question);
    }

    public static final class CannedHandler implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) {
            return "canned";
        }
    }

    @Test
    void aHandlerFallbackWithoutRetryIsWarnedAsAFallbackWithoutRetry() {
        AtomicInteger calls = new AtomicInteger();
        HandledUnretriedAnswers primary = q -> {
            calls.incrementAndGet();
            throw new java.io.UncheckedIOException(new java.io.IOException("blip"));
        };

        String[] answer = new String[1];
        String out = StdErr.during(() -> answer[0] = Rebound.wrap(HandledUnretriedAnswers.class, primary).build()
                .answer("q"));

        assertThat(answer[0]).isEqualTo("canned");
        assertThat(calls).hasValue(1);
        assertThat(out).contains("WARN dev.rebound - HandledUnretriedAnswers.answer(String) has @Fallback but no"
                + " @Retry: one transient failure sends every call to the fallback. Add @Retry, or set"
                + " -Drebound.warnFallbackWithoutRetry=false if that is intended.");
    }

    /** An interface only this test wraps: the builder's warning is once per interface. */
    public interface BuilderHandledAnswers {
        String answer(String question);
    }

    /** Another, wrapped with a retry: no warning (the warning is once per interface). */
    public interface RetriedHandledAnswers {
        String answer(String question);
    }

    @Test
    void aBuilderHandlerWithoutRetryIsWarnedOnceInTheBuildersWords() {
        BuilderHandledAnswers primary = q -> "primary";
        RetriedHandledAnswers retriedPrimary = q -> "primary";

        String out = StdErr.during(() -> {
            Rebound.wrap(BuilderHandledAnswers.class, primary).withFallbackHandler(call -> "canned").build();
            Rebound.wrap(BuilderHandledAnswers.class, primary).named("again").withFallbackHandler(call -> "canned")
                    .build();
        });
        String retried = StdErr.during(() -> Rebound.wrap(RetriedHandledAnswers.class, retriedPrimary)
                .withRetry(RetryPolicy.builder().attempts(2).build()).withFallbackHandler(call -> "canned").build());

        String warning = "WARN dev.rebound - Rebound.wrap(BuilderHandledAnswers) has withFallbackHandler but no"
                + " withRetry: one transient failure sends every call to the fallback. Add withRetry, or set"
                + " -Drebound.warnFallbackWithoutRetry=false if that is intended.";
        assertThat(out.split(java.util.regex.Pattern.quote(warning), -1).length - 1).as("times warned").isEqualTo(1);
        assertThat(retried).doesNotContain("no withRetry");
    }

    /**
     * A handler whose {@code next()} was ended by {@code Buggy}'s bug goes on to {@code Last}, which fails
     * with a failure {@code fallbackOn} lists, and rethrows that failure: the caller gets the primary's last, and
     * the FAILED event and its WARN line name the primary, not the alternative last aimed at.
     */
    @Test
    void theFailedEventNamesThePrimaryWhenTheHandlerRethrowsALaterAlternativesListedFailureAfterAnEndedWalk() {
        failsForGoodAfterGoingOnPastAnEndedWalk(false, "Failing");
    }

    /** The same handler rethrowing the bug that ended its walk: FAILED names Buggy, which threw it. */
    @Test
    void theFailedEventNamesTheAlternativeThatEndedTheWalkWhenTheHandlerRethrowsItsFailureAfterGoingOn() {
        failsForGoodAfterGoingOnPastAnEndedWalk(true, "Buggy");
    }

    private static void failsForGoodAfterGoingOnPastAnEndedWalk(boolean rethrowTheBug, String owner) {
        IllegalStateException down = new IllegalStateException(SECRET_MESSAGE);
        NullPointerException bug = new NullPointerException(SECRET_MESSAGE);
        IllegalStateException lastDown = new IllegalStateException(SECRET_MESSAGE);
        List<ReboundEvent> events = new ArrayList<>();
        FallbackHandlerTest.Chat chat = FallbackHandlerTest.goingOnPastAnEndedWalk(
                new FallbackHandlerTest.Failing(() -> down), bug, lastDown, rethrowTheBug,
                ReboundSettings.builder().timeSource(new VirtualTimeSource()).listener(events::add).build());

        Throwable[] thrown = new Throwable[1];
        String out = StdErr.during(() -> {
            try {
                chat.chat(SECRET_PROMPT);
            } catch (RuntimeException e) {
                thrown[0] = e;
            }
        });

        assertThat(events).last().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(Kind.FAILED);
            assertThat(e.target()).isEqualTo(owner);
            assertThat(e.failure()).isSameAs(thrown[0]);
        });
        assertThat(thrown[0]).isSameAs(rethrowTheBug ? bug : down);
        assertThat(out).containsOnlyOnce("WARN dev.rebound - Chat.chat(String): failed for good on " + owner
                + ", throwing " + thrown[0].getClass().getName())
                .doesNotContain("failed for good on Last").doesNotContain("sk-live").doesNotContain("4111");
    }

    /** Two teams' interfaces of one simple name, in their own packages (nested types stand for them here). */
    public static final class OpenAi {
        public interface Answers {
            String answer(String question);
        }

        public interface Annotated {
            @dev.rebound.annotations.Fallback(to = Canned.class)
            String answer(String question);
        }

        public static final class Canned implements Annotated {
            @Override
            public String answer(String question) {
                return "canned";
            }
        }
    }

    /** The other team's. */
    public static final class Anthropic {
        public interface Answers {
            String answer(String question);
        }

        public interface Annotated {
            @dev.rebound.annotations.Fallback(to = Canned.class)
            String answer(String question);
        }

        public static final class Canned implements Annotated {
            @Override
            public String answer(String question) {
                return "canned";
            }
        }
    }

    /**
     * The warning is kept once per interface or method by its fully qualified name: two interfaces that
     * share a simple name are each warned about (the second was silent when the record was the line's
     * simple name).
     */
    @Test
    void aFallbackWithoutRetryIsWarnedForEachOfTwoInterfacesThatShareASimpleName() {
        String builders = StdErr.during(() -> {
            Rebound.wrap(OpenAi.Answers.class, q -> "a").withFallbacks(q -> "b").build();
            Rebound.wrap(Anthropic.Answers.class, q -> "a").withFallbacks(q -> "b").build();
        });
        String annotated = StdErr.during(() -> {
            Rebound.wrap(OpenAi.Annotated.class, q -> "a").build();
            Rebound.wrap(Anthropic.Annotated.class, q -> "a").build();
        });

        assertThat(builders.split(java.util.regex.Pattern.quote("Rebound.wrap(Answers) has withFallbacks but no"
                + " withRetry"), -1).length - 1).as("builders warned").isEqualTo(2);
        assertThat(annotated.split(java.util.regex.Pattern.quote("Annotated.answer(String) has @Fallback but no"
                + " @Retry"), -1).length - 1).as("annotations warned").isEqualTo(2);
    }
}
