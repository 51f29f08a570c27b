package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.testing.GlobalSettingsScope;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that weaves an around advice of its own with ajc next to rebound-weaver's, on the same method:
 * wherever {@code declare precedence} puts it, it runs either once around the whole call or once around each
 * attempt, the advice's own retries and the engine's alike, whether or not a listener observes the call. Never
 * around some attempts only: Rebound's recovery is the last advice of the aspect that runs the first attempts, so
 * no aspect's advice can come between the two. The application's advice translates the method's
 * {@code IllegalStateException} into the {@code Transient} its {@code @Retry(attempts = 5, on = Transient.class)}
 * retries.
 */
class OwnAspectOrderTest {

    private static final String REBOUND = "dev.rebound.weaver.aspectj.ResilientCalls+";
    private static final String RECOVERY = "dev.rebound.weaver.aspectj.Recovery";

    @TempDir
    Path dir;

    /** {@code app.Chat}, woven by ajc with rebound-weaver and the application's aspect {@code Translate}. */
    private Class<?> weave(String precedence) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/app"));
        List<Path> sources = List.of(Files.writeString(src.resolve("Transient.java"), """
                package app;
                public class Transient extends RuntimeException {
                    public Transient(String message) { super(message); }
                }
                """), Files.writeString(src.resolve("Chat.java"), """
                package app;
                public class Chat {
                    public int calls;
                    @dev.rebound.annotations.Retry(attempts = 5, delay = 10, on = Transient.class)
                    public String chat(String prompt) {
                        calls++;
                        throw new IllegalStateException("raw " + calls);
                    }
                }
                """), Files.writeString(src.resolve("Translate.aj"), """
                package app;
                public aspect Translate {
                    %s
                    public static int runs;
                    Object around(): execution(public * app.Chat.*(..)) {
                        runs++;
                        try {
                            return proceed();
                        } catch (IllegalStateException e) {
                            throw new Transient("translated " + e.getMessage());
                        }
                    }
                }
                """.formatted(precedence.isEmpty() ? "" : "declare precedence: " + precedence + ";")));
        Path out = dir.resolve("out");
        assertThat(Javac.ajcErrors(out, sources)).isEmpty();
        return new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader()).loadClass("app.Chat");
    }

    /**
     * One call that fails every attempt, quiet, then one a listener observes, each on a new {@code Chat}: for each,
     * how many attempts ran and how many times the application's advice ran; and what Rebound logged meanwhile.
     */
    private static Outcome calls(Class<?> chatClass) {
        ReboundSettings quiet = ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false).build();
        ReboundSettings observed = quiet.toBuilder().listener(event -> { }).build();
        List<String> counts = new ArrayList<>();
        String log = StdErr.during(() -> {
            counts.add(call(chatClass, quiet));
            counts.add(call(chatClass, observed));
        });
        return new Outcome(counts, log);
    }

    private static String call(Class<?> chatClass, ReboundSettings settings) {
        try {
            Object chat = chatClass.getConstructor().newInstance();
            Field runs = chatClass.getClassLoader().loadClass("app.Translate").getField("runs");
            runs.setInt(null, 0);
            try (GlobalSettingsScope scope = GlobalSettingsScope.open(settings)) {
                Throwable thrown = catchThrowable(() -> chatClass.getMethod("chat", String.class).invoke(chat, "p"));
                assertThat(thrown).isInstanceOf(InvocationTargetException.class);
                assertThat(thrown.getCause().getClass().getName()).as("what the caller gets")
                        .isEqualTo("app.Transient");
            }
            return "attempts " + chatClass.getField("calls").getInt(chat) + ", advised " + runs.getInt(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    record Outcome(List<String> counts, String log) {
    }

    @Test
    void anAdviceOrderedBetweenResilientCallsAndRecoveryRunsAroundEveryAttemptObservedOrNot() throws Exception {
        Outcome outcome = calls(weave(REBOUND + ", Translate, " + RECOVERY));

        assertThat(outcome.counts()).as("nothing observing, then a listener")
                .containsExactly("attempts 5, advised 5", "attempts 5, advised 5");
        assertThat(outcome.log()).doesNotContain("WARN");
    }

    @Test
    void anAdviceOrderedAfterRecoveryRunsAroundEveryAttemptObservedOrNot() throws Exception {
        Outcome outcome = calls(weave(REBOUND + ", " + RECOVERY + ", Translate"));

        assertThat(outcome.counts()).as("nothing observing, then a listener")
                .containsExactly("attempts 5, advised 5", "attempts 5, advised 5");
        assertThat(outcome.log()).doesNotContain("WARN");
    }

    /** Outside Rebound's advice: the policy judges the untranslated failure, which it does not retry. */
    @Test
    void anAdviceOrderedBeforeResilientCallsRunsOnceAroundTheWholeCallObservedOrNot() throws Exception {
        Outcome outcome = calls(weave("Translate, " + REBOUND));

        assertThat(outcome.counts()).as("nothing observing, then a listener")
                .containsExactly("attempts 1, advised 1", "attempts 1, advised 1");
        assertThat(outcome.log()).doesNotContain("WARN");
    }

    /** No precedence declared, as most applications write their aspects: ajc picks one of the two places. */
    @Test
    void anUnorderedAdviceRunsInOnePlaceObservedOrNot() throws Exception {
        Outcome outcome = calls(weave(""));

        assertThat(outcome.counts().get(0)).isIn("attempts 5, advised 5", "attempts 1, advised 1");
        assertThat(outcome.counts().get(1)).as("with a listener").isEqualTo(outcome.counts().get(0));
        assertThat(outcome.log()).doesNotContain("WARN");
    }
}
