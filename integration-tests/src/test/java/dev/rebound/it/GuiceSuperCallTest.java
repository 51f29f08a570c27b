package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.inject.Guice;
import com.google.inject.matcher.Matchers;
import com.google.inject.util.Modules;
import dev.rebound.it.plain.GuiceRewrites;
import dev.rebound.it.plain.GuiceRewrites.Chat;
import dev.rebound.it.plain.GuiceRewrites.Down;
import dev.rebound.it.plain.GuiceRewrites.Transient;
import dev.rebound.runtime.ReboundEvent;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.VirtualTimeSource;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ReboundModule's interceptor, when it is the last of its method's Guice chain, runs each attempt by Guice's own call
 * of the superclass method, so that a failed attempt crosses none of Guice's {@code pruneStacktrace}: the attempts,
 * the answer and the caller's exception (the same instance, the others suppressed on it) are what they were, and
 * only the caller's failure has its stack trace rewritten, once, by Guice's outer level. Each scenario runs quietly
 * (the door's own loop) and with a listener that wants every event (the engine's chain and its invoker). An
 * interceptor of the user's bound after ReboundModule's still runs on every attempt (then each attempt proceeds
 * through Guice's invocation, as before); one bound before runs once per call. Real Guice, classes javac compiled.
 */
class GuiceSuperCallTest {

    /** Quietly, and with a listener that wants every event. */
    enum Run {
        QUIET, LISTENED
    }

    private ReboundSettings saved;
    private final List<ReboundEvent> events = new ArrayList<>();

    @BeforeEach
    void save() {
        saved = ReboundSettings.global();
        GuiceRewrites.reset();
    }

    @AfterEach
    void restore() {
        ReboundSettings.setGlobal(saved);
        GuiceRewrites.reset();
    }

    /** A new {@link Chat} from an injector of {@code modules}, on global settings for {@code run}, with {@code script}. */
    private Chat chat(Run run, List<Throwable> script, com.google.inject.Module... modules) {
        GuiceRewrites.reset();
        GuiceRewrites.SCRIPT.addAll(script);
        events.clear();
        ReboundSettings.Builder settings = ReboundSettings.builder().logging(false).timeSource(new VirtualTimeSource());
        if (run == Run.LISTENED) {
            settings.listener(events::add);
        }
        ReboundSettings.setGlobal(settings.build());
        return Guice.createInjector(modules).getInstance(Chat.class);
    }

    /** How often Guice rewrote the stack trace of each failure in {@code failures}. */
    private static List<Integer> rewrites(Throwable... failures) {
        return Arrays.stream(failures).map(GuiceRewrites::rewrites).toList();
    }

    /** A new {@link Transient} of each name, in order. */
    private static Transient[] transients(String... names) {
        return Arrays.stream(names).map(Transient::new).toArray(Transient[]::new);
    }

    /** {@link Chat}'s own methods, those ReboundModule intercepts. */
    private static final com.google.inject.matcher.Matcher<java.lang.reflect.Method> CHATS =
            new com.google.inject.matcher.AbstractMatcher<>() {
                @Override
                public boolean matches(java.lang.reflect.Method m) {
                    return m.getDeclaringClass() == Chat.class;
                }
            };

    /** {@link GuiceRewrites.Backup}'s own methods, those ReboundModule intercepts on the alternative. */
    private static final com.google.inject.matcher.Matcher<java.lang.reflect.Method> BACKUPS =
            new com.google.inject.matcher.AbstractMatcher<>() {
                @Override
                public boolean matches(java.lang.reflect.Method m) {
                    return m.getDeclaringClass() == GuiceRewrites.Backup.class;
                }
            };

    /** Binds the user's interceptor from a type listener, which runs in the order the listeners were installed. */
    private static ListenerBoundInterceptor usersListenerModule() {
        return new ListenerBoundInterceptor(CHATS, new GuiceRewrites.UsersInterceptor());
    }

    @Test
    void pathBTheFailedFirstAttemptIsRetriedAndItsFailureLeftAsTheTargetThrewIt() throws Exception {
        for (Run run : Run.values()) {
            Transient first = new Transient("t1");
            Chat chat = chat(run, Arrays.asList(first, null), new ReboundModule());

            assertThat(chat.chat("q")).as(run.name()).isEqualTo("answer to q");
            assertThat(GuiceRewrites.CALLS).as(run.name()).containsExactly("chat(q)", "chat(q)");
            assertThat(rewrites(first)).as("%s: crossed no pruneStacktrace", run).containsExactly(0);
            assertThat(events.isEmpty()).as("%s: the chain ran and reported", run).isEqualTo(run == Run.QUIET);
        }
    }

    @Test
    void pathCEveryAttemptFailsAndTheFallbackAnswersWithNoFailureRewritten() throws Exception {
        for (Run run : Run.values()) {
            Transient t1 = new Transient("t1");
            Transient t2 = new Transient("t2");
            Transient t3 = new Transient("t3");
            Chat chat = chat(run, List.of(t1, t2, t3), new ReboundModule());

            assertThat(chat.chat("q")).as(run.name()).isEqualTo("backup answer to q");
            assertThat(GuiceRewrites.CALLS).as(run.name()).containsExactly("chat(q)", "chat(q)", "chat(q)", "backup(q)");
            assertThat(rewrites(t1, t2, t3)).as(run.name()).containsExactly(0, 0, 0);
        }
    }

    @Test
    void theCallerGetsTheLastFailureItselfWithTheOthersSuppressedRewrittenOnceByGuicesOuterLevel() {
        for (Run run : Run.values()) {
            Transient t1 = new Transient("t1");
            Transient t2 = new Transient("t2");
            Transient t3 = new Transient("t3");
            Chat chat = chat(run, List.of(t1, t2, t3), new ReboundModule());

            Throwable thrown = catchThrowable(() -> chat.alone("q"));

            assertThat(thrown).as(run.name()).isSameAs(t3);
            assertThat(thrown.getSuppressed()).as(run.name()).containsExactly(t1, t2);
            assertThat(GuiceRewrites.CALLS).as(run.name()).containsExactly("chat(q)", "chat(q)", "chat(q)");
            assertThat(rewrites(t1, t2, t3)).as("%s: the caller's failure alone, by Guice's outer level", run)
                    .containsExactly(0, 0, 1);
        }
    }

    /**
     * The other side of leaving the attempts' failures as they were thrown: the suppressed attempts keep the frames of
     * Guice's own call (its generated class's trampoline, its callback), which Guice's outer level prunes from the
     * caller's failure alone (guice.md says so; stripping them would cost each failed attempt a copy of its trace).
     */
    @Test
    void theSuppressedAttemptsKeepTheFramesOfGuicesCallThatItPrunesFromTheCallersFailure() {
        Transient t1 = new Transient("t1");
        Transient t2 = new Transient("t2");
        Transient t3 = new Transient("t3");
        Chat chat = chat(Run.QUIET, List.of(t1, t2, t3), new ReboundModule());

        assertThat(catchThrowable(() -> chat.alone("q"))).isSameAs(t3);
        assertThat(List.of(guiceFrames(t1) > 0, guiceFrames(t2) > 0, guiceFrames(t3) > 0))
                .containsExactly(true, true, false);
    }

    /** The frames of {@code failure} in Guice's generated class or its interceptor callback. */
    private static long guiceFrames(Throwable failure) {
        return Arrays.stream(failure.getStackTrace()).map(StackTraceElement::getClassName)
                .filter(c -> c.contains("$$EnhancerByGuice$$") || c.startsWith("com.google.inject.internal.InterceptorStackCallback")).count();
    }

    /**
     * The engine calls the alternative, which the injector constructs and intercepts, and applies its retry itself;
     * the alternative's interceptor lets each of those calls through by Guice's own call of the method, as an
     * attempt of its own: each failure of the alternative is rewritten once, by the outer level of its call, where
     * Guice's {@code proceed()} rewrote it a second time. The attempts, the caller's exception and the history on it
     * are unchanged.
     */
    @Test
    void theAlternativesCallLetThroughCrossesGuicesRewritingOnlyAtTheOuterLevelOfEachAttempt() {
        for (Run run : Run.values()) {
            Transient[] f = transients("t1", "t2", "t3", "b1", "b2", "b3"); // the primary's, then the alternative's
            Chat chat = chat(run, List.of(f[0], f[1], f[2]), new ReboundModule());
            GuiceRewrites.BACKUP_SCRIPT.addAll(List.of(f[3], f[4], f[5]));

            Throwable thrown = catchThrowable(() -> chat.chat("q"));

            assertThat(thrown).as(run.name()).isSameAs(f[2]);
            assertThat(thrown.getSuppressed()).as(run.name()).containsExactly(f[0], f[1], f[3], f[4], f[5]);
            assertThat(GuiceRewrites.CALLS).as(run.name()).containsExactly("chat(q)", "chat(q)", "chat(q)",
                    "backup(q)", "backup(q)", "backup(q)");
            assertThat(rewrites(f)).as(run.name()).containsExactly(0, 0, 1, 1, 1, 1);
        }
    }

    /**
     * A user's interceptor bound after ReboundModule's on the alternative runs on each of the alternative's attempts,
     * the engine's calls that the alternative's interceptor lets through, and each of them proceeds through Guice's
     * invocation to it; the primary's attempts, without such an interceptor, call the method by Guice's own call.
     */
    @Test
    void aUsersInterceptorBoundAfterReboundModulesOnTheAlternativeRunsOnEachOfItsAttempts() throws Exception {
        for (Run run : Run.values()) {
            Transient[] f = transients("t1", "b1", "b2"); // the primary's one failure, repeated; the alternative's
            Chat chat = chat(run, List.of(f[0]), Modules.combine(new ReboundModule(),
                    new ListenerBoundInterceptor(BACKUPS, new GuiceRewrites.UsersInterceptor())));
            GuiceRewrites.BACKUP_SCRIPT.addAll(Arrays.asList(f[1], f[2], null));

            assertThat(chat.chat("q")).as(run.name()).isEqualTo("backup answer to q");
            assertThat(GuiceRewrites.CALLS).as(run.name()).containsExactly("chat(q)", "chat(q)", "chat(q)",
                    "user's interceptor", "backup(q)", "user's interceptor", "backup(q)", "user's interceptor",
                    "backup(q)");
            // Rebound's proceed() to the user's interceptor, its proceed() to the method, the call's outer level
            assertThat(rewrites(f)).as(run.name()).containsExactly(0, 3, 3);
        }
    }

    @Test
    void aCheckedFailurePassesThroughGuicesCallAsItIs() {
        for (Run run : Run.values()) {
            Down same = new Down("d1");
            Chat chat = chat(run, List.of(same), new ReboundModule());

            Throwable thrown = catchThrowable(() -> chat.alone("q"));

            assertThat(thrown).as(run.name()).isSameAs(same).isInstanceOf(java.io.IOException.class);
            assertThat(thrown.getSuppressed()).as(run.name()).isEmpty();
            assertThat(GuiceRewrites.CALLS).as(run.name()).containsExactly("chat(q)", "chat(q)", "chat(q)");
            assertThat(rewrites(same)).as(run.name()).containsExactly(1);
        }
    }

    @Test
    void aUsersInterceptorBoundAfterReboundModulesRunsOnEveryAttemptAndEachFailureCrossesGuicesInvocation()
            throws Exception {
        for (Run run : Run.values()) {
            for (com.google.inject.Module after : List.of(
                    Modules.combine(new ReboundModule(), usersListenerModule()),
                    ReboundModule.wrapping(usersListenerModule()))) {
                Transient t1 = new Transient("t1");
                Transient t2 = new Transient("t2");
                Chat chat = chat(run, Arrays.asList(t1, t2, null), after);

                assertThat(chat.chat("q")).as(run.name()).isEqualTo("answer to q");
                assertThat(GuiceRewrites.CALLS).as(run.name()).containsExactly("user's interceptor", "chat(q)",
                        "user's interceptor", "chat(q)", "user's interceptor", "chat(q)");
                // Rebound's proceed() to the user's interceptor, whose proceed() calls the method: two levels
                assertThat(rewrites(t1, t2)).as("%s: each attempt proceeded through Guice's invocation", run)
                        .containsExactly(2, 2);
            }
        }
    }

    @Test
    void aUsersInterceptorBoundBeforeReboundModulesRunsOncePerCallAndNoAttemptCrossesGuicesInvocation()
            throws Exception {
        for (Run run : Run.values()) {
            for (com.google.inject.Module before : List.of(
                    Modules.combine(usersListenerModule(), new ReboundModule()),
                    Modules.combine(new ReboundModule(), binder -> binder.bindInterceptor(
                            Matchers.subclassesOf(Chat.class), CHATS, new GuiceRewrites.UsersInterceptor())))) {
                Transient t1 = new Transient("t1");
                Transient t2 = new Transient("t2");
                Chat chat = chat(run, Arrays.asList(t1, t2, null), before);

                assertThat(chat.chat("q")).as(run.name()).isEqualTo("answer to q");
                assertThat(GuiceRewrites.CALLS).as(run.name()).containsExactly("user's interceptor", "chat(q)",
                        "chat(q)", "chat(q)");
                assertThat(rewrites(t1, t2)).as(run.name()).containsExactly(0, 0);
            }
        }
    }
}
