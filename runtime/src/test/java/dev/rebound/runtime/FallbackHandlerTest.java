package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 6: fallbacks that know why. A handler gets the failure, the whole history and the
 * arguments, routes by failure kind, changes arguments, or answers itself; plus the annotation forms
 * of items 4 and 6 and their build-time checks.
 */
class FallbackHandlerTest {

    final VirtualTimeSource time = new VirtualTimeSource();
    final List<ReboundEvent> events = new CopyOnWriteArrayList<>();
    final ReboundSettings settings = ReboundSettings.builder().timeSource(time).logging(false)
            .listener(events::add).build();

    public interface Chat {
        String chat(String prompt);
    }

    public static final class ContextTooLong extends RuntimeException {
        public ContextTooLong() {
            super("context too long");
        }
    }

    public static final class ContentFiltered extends RuntimeException {
        public ContentFiltered() {
            super("filtered");
        }
    }

    /** Fails with what it is given, every time, recording the prompts it saw. */
    static final class Failing implements Chat {
        final List<String> prompts = new ArrayList<>();
        final java.util.function.Supplier<RuntimeException> failure;

        Failing(java.util.function.Supplier<RuntimeException> failure) {
            this.failure = failure;
        }

        @Override
        public String chat(String prompt) {
            prompts.add(prompt);
            throw failure.get();
        }
    }

    public static final class LargeContext implements Chat {
        final List<String> prompts = new CopyOnWriteArrayList<>();

        @Override
        public String chat(String prompt) {
            prompts.add(prompt);
            return "large: " + prompt;
        }
    }

    public static final class OtherProvider implements Chat {
        @Override
        public String chat(String prompt) {
            return "other: " + prompt;
        }
    }

    // docs:llm-fallback-handler
    /** Routes by why the primary failed: a smaller prompt to the larger model, a canned answer, or on. */
    public static final class ByFailure implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) throws Throwable {
            if (call.failure() instanceof ContextTooLong) {
                String prompt = (String) call.arguments()[0];
                return call.call(LargeContext.class, prompt.substring(prompt.length() / 2)); // trimmed
            }
            if (call.failure() instanceof ContentFiltered) {
                return "I can't help with that.";                                          // canned
            }
            return call.next(call.arguments());                                            // in order
        }
    }
    // /docs:llm-fallback-handler

    private Chat wrapped(Chat primary, LargeContext large) {
        return Rebound.wrap(Chat.class, primary)
                .withRetry(RetryPolicy.builder().attempts(2).delay(java.time.Duration.ZERO).build())
                .withFallbacks(new OtherProvider(), large)
                .withFallbackHandler(new ByFailure())
                .settings(settings).build();
    }

    @Test
    void contextTooLongGoesToTheLargerModelWithATrimmedPrompt() {
        LargeContext large = new LargeContext();
        Failing primary = new Failing(ContextTooLong::new);

        assertThat(wrapped(primary, large).chat("0123456789")).isEqualTo("large: 56789");
        assertThat(large.prompts).containsExactly("56789");
        assertThat(primary.prompts).hasSize(2); // its retry ran first
    }

    @Test
    void contentFilterGetsACannedAnswer() {
        assertThat(wrapped(new Failing(ContentFiltered::new), new LargeContext()).chat("q"))
                .isEqualTo("I can't help with that.");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK).map(ReboundEvent::alternative))
                .containsExactly("ByFailure");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.SUCCEEDED).map(ReboundEvent::reason))
                .containsExactly("fallback");
    }

    @Test
    void otherFailuresWalkTheAlternativesInOrder() {
        assertThat(wrapped(new Failing(IllegalStateException::new), new LargeContext()).chat("q"))
                .isEqualTo("other: q");
    }

    @Test
    void theHandlerSeesTheWholeHistory() {
        List<List<Throwable>> seen = new ArrayList<>();
        IllegalStateException first = new IllegalStateException("1");
        IllegalStateException second = new IllegalStateException("2");
        java.util.Iterator<RuntimeException> failures = List.<RuntimeException>of(first, second).iterator();
        Chat model = Rebound.wrap(Chat.class, (Chat) p -> {
            throw failures.next();
        }).withRetry(RetryPolicy.builder().attempts(2).delay(java.time.Duration.ZERO).build())
                .withFallbackHandler(call -> {
                    seen.add(call.history());
                    return "handled after " + call.failure().getMessage();
                }).settings(settings).build();

        assertThat(model.chat("q")).isEqualTo("handled after 2");
        assertThat(seen).containsExactly(List.of(first, second));
    }

    @Test
    void aHandlersOwnExceptionReachesTheCallerWithTheHistorySuppressed() {
        IllegalStateException primaryFailure = new IllegalStateException("down");
        UnsupportedOperationException own = new UnsupportedOperationException("nobody can answer");
        Chat model = Rebound.wrap(Chat.class, (Chat) p -> {
            throw primaryFailure;
        }).withRetry(RetryPolicy.none()).withFallbackHandler(call -> {
            throw own;
        }).settings(settings).build();

        Throwable thrown = catchThrowable(() -> model.chat("q"));

        assertThat(thrown).isSameAs(own);
        assertThat(thrown.getSuppressed()).containsExactly(primaryFailure);
    }

    @Test
    void rethrowingTheFailureGivesTheCallerThePrimarysLastAsWithoutAHandler() {
        IllegalStateException primaryFailure = new IllegalStateException("down");
        Chat model = Rebound.wrap(Chat.class, (Chat) p -> {
            throw primaryFailure;
        }).withRetry(RetryPolicy.none()).withFallbackHandler(call -> {
            throw call.failure();
        }).settings(settings).build();

        assertThat(catchThrowable(() -> model.chat("q"))).isSameAs(primaryFailure);
    }

    /**
     * {@code next()} walks the alternatives as {@code @Fallback.to} does: an alternative's failure that
     * {@code fallbackOn} does not list ends the walk, and thrown on by the handler it is what the caller gets.
     */
    @Test
    void nextStopsAtAnAlternativesFailureThatOnDoesNotListAndTheCallerGetsIt() {
        IllegalStateException down = new IllegalStateException("down");
        NullPointerException bug = new NullPointerException("bug in the backup");
        List<String> calls = new ArrayList<>();
        Chat model = Rebound.wrap(Chat.class, (Chat) p -> {
            calls.add("primary");
            throw down;
        }).withFallbacks(p -> {
            calls.add("buggy");
            throw bug;
        }, p -> {
            calls.add("never");
            return "never";
        }).fallbackOn(IllegalStateException.class).withFallbackHandler(call -> call.next(call.arguments()))
                .settings(settings).build();

        Throwable thrown = catchThrowable(() -> model.chat("q"));

        assertThat(calls).containsExactly("primary", "buggy");
        assertThat(thrown).isSameAs(bug);
        assertThat(thrown.getSuppressed()).containsExactly(down);
    }

    /** Fails with the one failure it is given, every time: the alternatives a handler calls by class. */
    abstract static class Throwing implements Chat {
        final RuntimeException failure;

        Throwing(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public String chat(String prompt) {
            throw failure;
        }
    }

    public static final class Buggy extends Throwing {
        Buggy(RuntimeException failure) {
            super(failure);
        }
    }

    /** The alternative after {@link Buggy}. */
    public static final class Last extends Throwing {
        Last(RuntimeException failure) {
            super(failure);
        }
    }

    /**
     * The handler decides: after its {@code next()} was ended by an alternative's failure that
     * {@code fallbackOn} does not list, an exception of its own is what the caller gets, every failure of
     * the call suppressed on it, the one that ended the walk included.
     */
    @Test
    void aHandlersOwnExceptionAfterNextWasEndedByAnAlternativeIsWhatTheCallerGets() {
        IllegalStateException down = new IllegalStateException("down");
        NullPointerException bug = new NullPointerException("bug in the backup");
        IllegalStateException own = new IllegalStateException("the handler's own");
        List<String> calls = new ArrayList<>();
        Chat model = Rebound.wrap(Chat.class, (Chat) p -> {
            calls.add("primary");
            throw down;
        }).withFallbacks(p -> {
            calls.add("buggy");
            throw bug;
        }, p -> {
            calls.add("never");
            return "never";
        }).fallbackOn(IllegalStateException.class).withFallbackHandler(call -> {
            try {
                return call.next(call.arguments());
            } catch (NullPointerException e) {
                throw own;
            }
        }).settings(settings).build();

        Throwable thrown = catchThrowable(() -> model.chat("q"));

        assertThat(calls).containsExactly("primary", "buggy");
        assertThat(thrown).isSameAs(own);
        assertThat(thrown.getSuppressed()).containsExactly(down, bug);
    }

    /**
     * {@code primary} (failing with {@code down}) with a handler whose {@code next()} is ended by {@link Buggy}'s
     * {@code bug}, that goes on to {@link Last}, which fails with {@code lastDown}, and rethrows the bug
     * ({@code rethrowTheBug}) or {@code lastDown}.
     */
    static Chat goingOnPastAnEndedWalk(Chat primary, NullPointerException bug, IllegalStateException lastDown,
            boolean rethrowTheBug, ReboundSettings settings) {
        return Rebound.wrap(Chat.class, primary)
                .withFallbacks(new Buggy(bug), new Last(lastDown)).fallbackOn(IllegalStateException.class)
                .withFallbackHandler(call -> {
                    try {
                        return call.next(call.arguments());
                    } catch (NullPointerException ended) {
                        try {
                            return call.call(Last.class, call.arguments());
                        } catch (IllegalStateException listed) {
                            throw rethrowTheBug ? ended : listed;
                        }
                    }
                }).settings(settings).build();
    }

    /**
     * Gone on past an ended walk, the handler rethrows a later alternative's failure that {@code fallbackOn}
     * lists: as any failure of the call a handler rethrows, the caller gets the primary's last, not the
     * stale failure that ended the walk.
     */
    @Test
    void aLaterAlternativesListedFailureRethrownAfterAnEndedWalkGivesTheCallerThePrimarysLast() {
        IllegalStateException down = new IllegalStateException("down");
        NullPointerException bug = new NullPointerException("bug in the backup");
        IllegalStateException lastDown = new IllegalStateException("last down");

        Throwable thrown = catchThrowable(() -> goingOnPastAnEndedWalk(p -> {
            throw down;
        }, bug, lastDown, false, settings).chat("q"));

        assertThat(thrown).isSameAs(down);
        assertThat(thrown.getSuppressed()).containsExactly(bug, lastDown);
    }

    /** The failure that ended the walk, rethrown after the handler went on, is still what the caller gets. */
    @Test
    void theFailureThatEndedTheWalkRethrownAfterGoingOnIsWhatTheCallerGets() {
        IllegalStateException down = new IllegalStateException("down");
        NullPointerException bug = new NullPointerException("bug in the backup");
        IllegalStateException lastDown = new IllegalStateException("last down");

        Throwable thrown = catchThrowable(() -> goingOnPastAnEndedWalk(p -> {
            throw down;
        }, bug, lastDown, true, settings).chat("q"));

        assertThat(thrown).isSameAs(bug);
        assertThat(thrown.getSuppressed()).containsExactly(down, lastDown);
    }

    @Test
    void callingAnAlternativeThatIsNotListedIsABugReportedAsSuch() {
        Chat model = Rebound.wrap(Chat.class, (Chat) p -> {
            throw new IllegalStateException();
        }).withRetry(RetryPolicy.none()).withFallbacks(new OtherProvider())
                .withFallbackHandler(call -> call.call(LargeContext.class, "x")).settings(settings).build();

        assertThat(catchThrowable(() -> model.chat("q"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LargeContext is not one of the alternatives");
    }

    // ---- alternatives of one class: by position ----

    /** One client class, one instance per region: its own retry of two attempts, applied by the engine. */
    public static class Backend implements Chat {
        final String region;
        final List<String> prompts = new CopyOnWriteArrayList<>();
        int failuresLeft;

        Backend(String region, int failures) {
            this.region = region;
            this.failuresLeft = failures;
        }

        @Override
        @Retry(attempts = 2, delay = 0)
        public String chat(String prompt) {
            prompts.add(prompt);
            if (failuresLeft-- > 0) {
                throw new IllegalStateException(region + " busy");
            }
            return region + ": " + prompt;
        }
    }

    private Chat twoBackends(Chat primary, Backend eu, Backend us, FallbackHandler handler) {
        return Rebound.wrap(Chat.class, primary).named("gpt-4")
                .withRetry(RetryPolicy.none())
                .withFallbacks(eu, us)
                .withFallbackHandler(handler)
                .settings(settings).build();
    }

    private static Chat down(RuntimeException failure) {
        return p -> {
            throw failure;
        };
    }

    // docs:llm-fallback-handler-position
    /** Two backends of one client class, eu then us: a failover to us alone, by its position. */
    public static final class ToTheSecondBackend implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) throws Throwable {
            // alternatives() is [Backend, Backend]: call(Backend.class, ...) would be refused as ambiguous
            return call.call(1, call.arguments()); // position 1, counted from 0: Backend#2 in events
        }
    }
    // /docs:llm-fallback-handler-position

    @Test
    void callByPositionCallsTheSecondOfTwoAlternativesOfOneClassThroughItsOwnRetryNamedAsEventsNameIt() {
        Backend eu = new Backend("eu", 0);
        Backend us = new Backend("us", 1);
        IllegalStateException down = new IllegalStateException("down");
        List<Object> seen = new ArrayList<>();

        String answer = twoBackends(down(down), eu, us, call -> {
            seen.addAll(call.alternatives());
            Object result = call.call(1, "q2");
            seen.addAll(call.history());
            return result;
        }).chat("q");

        assertThat(answer).isEqualTo("us: q2");
        assertThat(eu.prompts).isEmpty();
        assertThat(us.prompts).containsExactly("q2", "q2"); // its own @Retry: two attempts
        assertThat(seen.subList(0, 2)).containsExactly(Backend.class, Backend.class);
        assertThat(seen.subList(2, seen.size())).hasSize(2).first().isSameAs(down);
        assertThat(((Throwable) seen.get(3))).hasMessage("us busy");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK)
                .map(e -> e.target() + " -> " + e.alternative()))
                .containsExactly("gpt-4 -> FallbackHandlerTest$$Lambda", "FallbackHandlerTest$$Lambda -> Backend#2");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.ATTEMPT_FAILED)
                .map(e -> e.target() + "@" + e.attempt())).containsExactly("gpt-4@1", "Backend#2@1");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.SUCCEEDED)
                .map(e -> e.target() + "@" + e.attempt())).containsExactly("Backend#2@2");
    }

    @Test
    void theDocumentedHandlerFailsOverToTheSecondBackendByPosition() {
        Backend eu = new Backend("eu", 0);
        Backend us = new Backend("us", 0);

        assertThat(twoBackends(down(new IllegalStateException()), eu, us, new ToTheSecondBackend()).chat("q"))
                .isEqualTo("us: q");
        assertThat(eu.prompts).isEmpty();
    }

    @Test
    void callingAClassListedTwiceIsRefusedNamingItsPositionsAndCallsNeither() {
        Backend eu = new Backend("eu", 0);
        Backend us = new Backend("us", 0);

        Throwable thrown = catchThrowable(() -> twoBackends(down(new IllegalStateException()), eu, us,
                call -> call.call(Backend.class, call.arguments())).chat("q"));

        assertThat(thrown).isInstanceOf(IllegalArgumentException.class).hasMessage("Chat.chat(String): "
                + "FallbackContext.call(Backend.class, ...) cannot tell which alternative is meant: "
                + Backend.class.getName() + " is listed more than once, at positions 0 (Backend#1) and 1 (Backend#2)"
                + " of alternatives(), counted from 0; call the one meant by its position with"
                + " FallbackContext.call(int, ...)");
        assertThat(eu.prompts).isEmpty();
        assertThat(us.prompts).isEmpty();
    }

    @Test
    void callByAPositionOutOfRangeNamesTheMethodAndThePositionsThereAre() {
        for (int position : new int[] {-1, 2}) {
            Throwable thrown = catchThrowable(() -> twoBackends(down(new IllegalStateException()),
                    new Backend("eu", 0), new Backend("us", 0), call -> call.call(position, "q")).chat("q"));

            assertThat(thrown).isInstanceOf(IndexOutOfBoundsException.class).hasMessage("Chat.chat(String): "
                    + "FallbackContext.call(int, ...) has no alternative at position " + position
                    + ": alternatives() has positions 0 to 1, counted from 0");
        }
        Throwable none = catchThrowable(() -> Rebound.wrap(Chat.class, down(new IllegalStateException()))
                .withRetry(RetryPolicy.none()).withFallbackHandler(call -> call.call(0, "q")).settings(settings)
                .build().chat("q"));
        assertThat(none).isInstanceOf(IndexOutOfBoundsException.class).hasMessage("Chat.chat(String): "
                + "FallbackContext.call(int, ...) has no alternative at position 0: there are none"
                + " (@Fallback.to / withFallbacks)");
    }

    /** A subclass of another alternative: its own class calls each; their common supertype is ambiguous. */
    public static class Origin implements Chat {
        @Override
        public String chat(String prompt) {
            return "origin: " + prompt;
        }
    }

    public static class Mirror extends Origin {
        @Override
        public String chat(String prompt) {
            return "mirror: " + prompt;
        }
    }

    @Test
    void aClassNamesTheAlternativeOfThatClassBeforeASubclassListedFirstAndASupertypeOfBothIsRefused() {
        Chat model = Rebound.wrap(Chat.class, down(new IllegalStateException())).withRetry(RetryPolicy.none())
                .withFallbacks(new Mirror(), new Origin())
                .withFallbackHandler(call -> call.call(call.arguments()[0].equals("chat") ? Chat.class
                        : call.arguments()[0].equals("mirror") ? Mirror.class : Origin.class, call.arguments()))
                .settings(settings).build();

        assertThat(model.chat("origin")).isEqualTo("origin: origin");
        assertThat(model.chat("mirror")).isEqualTo("mirror: mirror");
        assertThat(catchThrowable(() -> model.chat("chat"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Chat.class.getName() + " is the class of none, and a supertype of those at"
                        + " positions 0 (Mirror) and 1 (Origin) of alternatives()");
    }

    // ---- the annotation forms ----

    public interface Answers {
        String answer(String q);
    }

    public static final class BlankAnswer implements Predicate<Object> {
        @Override
        public boolean test(Object r) {
            return r == null || ((String) r).isBlank();
        }
    }

    public static final class Canned implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) {
            return "canned after " + call.failure().getClass().getSimpleName();
        }
    }

    // docs:llm-annotations
    public static class Flaky implements Answers {
        int calls;

        @Override
        @Retry(attempts = 3, delay = 10, jitter = false, onResult = BlankAnswer.class)
        @Fallback(to = {}, handler = Canned.class)
        public String answer(String q) {
            return ++calls < 3 ? " " : "third time: " + q;
        }
    }
    // /docs:llm-annotations

    public static class AlwaysBlank implements Answers {
        @Override
        @Retry(attempts = 2, delay = 0, onResult = BlankAnswer.class)
        @Fallback(to = {}, handler = Canned.class)
        public String answer(String q) {
            return "";
        }
    }

    @Test
    void annotationsRetryOnAResultAndHandTheRejectionToTheHandler() {
        Flaky flaky = new Flaky();
        assertThat(Rebound.wrap(Answers.class, (Answers) flaky).settings(settings).build().answer("q"))
                .isEqualTo("third time: q");
        assertThat(flaky.calls).isEqualTo(3);
        assertThat(Rebound.wrap(Answers.class, (Answers) new AlwaysBlank()).settings(settings).build().answer("q"))
                .isEqualTo("canned after RejectedResultException");
    }

    public static final class NotAPredicate {
    }

    public static class BadlyConfigured implements Answers {
        @Override
        @SuppressWarnings("unchecked")
        @Retry(attemptTimeout = -1, onResult = Predicate.class)
        @Fallback(to = {}, handler = NotAPredicate.class)
        public String answer(String q) {
            return q;
        }
    }

    @Test
    void everyBadNewAttributeIsReportedAtOnceNamingMethodAndAttribute() {
        Throwable thrown = catchThrowable(() -> Rebound.wrap(Answers.class, (Answers) new BadlyConfigured())
                .settings(settings).build());

        assertThat(thrown).isInstanceOf(ReboundConfigurationException.class)
                .hasMessageContaining("BadlyConfigured.answer(String): @Retry.attemptTimeout = -1 ms is negative")
                .hasMessageContaining("@Retry.onResult java.util.function.Predicate is an interface")
                .hasMessageContaining("@Fallback.handler " + NotAPredicate.class.getName()
                        + " does not implement dev.rebound.runtime.FallbackHandler");
    }

    public static final class DownToo implements Chat {
        @Override
        public String chat(String prompt) {
            throw new IllegalStateException("down too");
        }
    }

    /**
     * Every switch a handler makes is a fallback as the plain rule's are: an event from the target before
     * it (the handler, then the alternative that failed), so the default log shows it at WARN and
     * {@code rebound.fallbacks} counts it.
     */
    @Test
    void aHandlerWalkingTheAlternativesIsOneFallbackPerSwitchLoggedAndCounted() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        Chat chat = Rebound.wrap(Chat.class, (Chat) new Failing(IllegalStateException::new)).named("gpt-4")
                .withRetry(RetryPolicy.builder().attempts(1).build())
                .withFallbacks(new DownToo(), new OtherProvider())
                .withFallbackHandler(new ByFailure())
                .settings(ReboundSettings.builder().timeSource(time).listener(events::add)
                        .listener(new dev.rebound.runtime.metrics.MicrometerListener(registry)).build())
                .build();

        String[] answer = new String[1];
        String log = StdErr.during(() -> answer[0] = chat.chat("q"));

        assertThat(answer[0]).isEqualTo("other: q");
        assertThat(events.stream().filter(e -> e.kind() == ReboundEvent.Kind.FALLBACK)
                .map(e -> e.target() + " -> " + e.alternative()))
                .containsExactly("gpt-4 -> ByFailure", "ByFailure -> DownToo", "DownToo -> OtherProvider");
        assertThat(log).containsOnlyOnce("Chat.chat(String): falling back from ByFailure to DownToo after "
                + "java.lang.IllegalStateException")
                .containsOnlyOnce("Chat.chat(String): falling back from DownToo to OtherProvider after "
                        + "java.lang.IllegalStateException");
        assertThat(registry.get(dev.rebound.runtime.metrics.MicrometerListener.FALLBACKS).tag("from", "DownToo")
                .tag("to", "OtherProvider").counter().count()).isEqualTo(1.0);
        assertThat(registry.get(dev.rebound.runtime.metrics.MicrometerListener.FALLBACKS).tag("from", "ByFailure")
                .tag("to", "DownToo").counter().count()).isEqualTo(1.0);
    }
}
