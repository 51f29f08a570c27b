package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.spi.Invoker;
import dev.rebound.runtime.spi.Policies;
import dev.rebound.runtime.spi.ResilientMethod;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Bad input on calls: odd arguments, results and exceptions pass through unchanged, and the caller
 * gets the right exception. One test per row of the README's table.
 */
class BadRuntimeInputTest {

    public interface Chat {
        String chat(String prompt) throws IOException;
    }

    public interface Ping {
        String ping() throws IOException;
    }

    /** Records every argument it sees; fails with the scripted failures, then answers {@code answer}. */
    static final class Recording implements Chat, Ping {
        final List<Object> seen = Collections.synchronizedList(new ArrayList<>());
        final List<Supplier<? extends Exception>> failures = new ArrayList<>();
        final String answer;

        Recording(String answer) {
            this.answer = answer;
        }

        Recording failing(Supplier<? extends Exception> failure, int times) {
            for (int i = 0; i < times; i++) {
                failures.add(failure);
            }
            return this;
        }

        @Override
        public String chat(String prompt) throws IOException {
            seen.add(prompt);
            return next();
        }

        @Override
        public String ping() throws IOException {
            seen.add("ping");
            return next();
        }

        private String next() throws IOException {
            if (!failures.isEmpty()) {
                Exception e = failures.remove(0).get();
                if (e instanceof IOException) {
                    throw (IOException) e;
                }
                throw (RuntimeException) e;
            }
            return answer;
        }
    }

    static final RetryPolicy TWICE = RetryPolicy.builder().attempts(2).delay(Duration.ZERO).build();

    /** Logging on: the SLF4J listener sees every failure below and must survive it. */
    static <T> T wrap(Class<T> type, T primary, T backup) {
        return Rebound.wrap(type, primary).withRetry(TWICE).withFallbacks(backup)
                .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource()).build()).build();
    }

    @Test
    void nullArgumentsReachThePrimaryAndTheAlternativesUnchanged() throws Exception {
        Recording primary = new Recording("p").failing(IOException::new, 2);
        Recording backup = new Recording(null);

        assertThat(wrap(Chat.class, primary, backup).chat(null)).isNull();
        assertThat(primary.seen).containsExactly(null, null);
        assertThat(backup.seen).containsExactly((Object) null);
    }

    @Test
    void methodsWithoutArgumentsFallBackToo() throws Exception {
        Recording primary = new Recording("p").failing(IOException::new, 2);
        Recording backup = new Recording("b");

        assertThat(wrap(Ping.class, primary, backup).ping()).isEqualTo("b");
        assertThat(backup.seen).containsExactly("ping");
    }

    @Test
    void aNullResultIsAResultNotAFailure() throws Exception {
        Recording primary = new Recording(null);

        assertThat(wrap(Chat.class, primary, new Recording("b")).chat("q")).isNull();
        assertThat(primary.seen).hasSize(1);
    }

    @Test
    void anExceptionWithANullMessageIsRethrownAsIsWithItsHistory() {
        IOException first = new IOException((String) null);
        IOException last = new IOException((String) null);
        List<IOException> script = new ArrayList<>(List.of(first, last));
        Recording primary = new Recording("p").failing(() -> script.remove(0), 2);
        Recording backup = new Recording("b").failing(IllegalStateException::new, 1);

        assertThatThrownBy(() -> wrap(Chat.class, primary, backup).chat("q")).isSameAs(last)
                .hasMessage(null)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2).startsWith(first));
    }

    @Test
    void theSameInstanceThrownByEveryAttemptIsNeverSuppressedOnItself() {
        IOException shared = new IOException("cached");
        Recording primary = new Recording("p").failing(() -> shared, 2);
        Recording backup = new Recording("b").failing(() -> shared, 1);

        assertThatThrownBy(() -> wrap(Chat.class, primary, backup).chat("q")).isSameAs(shared)
                .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
    }

    /** Suppression and stack trace switched off, as light-weight exceptions do. */
    static final class NoSuppression extends RuntimeException {
        NoSuppression(boolean enableSuppression, boolean writableStackTrace) {
            super("light", null, enableSuppression, writableStackTrace);
        }
    }

    @Test
    void anExceptionWithSuppressionDisabledIsRethrownWithoutItsHistoryAndNothingBreaks() {
        NoSuppression last = new NoSuppression(false, false);
        List<RuntimeException> script = new ArrayList<>(List.of(new NoSuppression(true, true), last));
        Recording primary = new Recording("p").failing(() -> script.remove(0), 2);
        Recording backup = new Recording("b").failing(IllegalStateException::new, 1);

        assertThatThrownBy(() -> wrap(Chat.class, primary, backup).chat("q")).isSameAs(last)
                .satisfies(e -> assertThat(e.getSuppressed()).isEmpty())
                .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
    }

    @Test
    void anExceptionWithoutAStackTraceStillCarriesItsHistory() {
        NoSuppression last = new NoSuppression(true, false);
        NoSuppression first = new NoSuppression(true, false);
        List<RuntimeException> script = new ArrayList<>(List.of(first, last));
        Recording primary = new Recording("p").failing(() -> script.remove(0), 2);
        Recording backup = new Recording("b").failing(IllegalStateException::new, 1);

        assertThatThrownBy(() -> wrap(Chat.class, primary, backup).chat("q")).isSameAs(last)
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2).startsWith(first));
    }

    /** A failure whose every description throws: Rebound never asks for one. */
    static final class Hostile extends IOException {
        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage called");
        }

        @Override
        public String getLocalizedMessage() {
            throw new IllegalStateException("getLocalizedMessage called");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString called");
        }
    }

    @Test
    void aFailureWhoseMessageAndToStringThrowIsNeverDescribedByRebound() {
        Hostile last = new Hostile();
        Recording primary = new Recording("p").failing(IOException::new, 1).failing(() -> last, 1);
        Recording backup = new Recording("b").failing(Hostile::new, 1);
        List<String> events = new ArrayList<>();
        Chat wrapped = Rebound.wrap(Chat.class, (Chat) primary).withRetry(TWICE).withFallbacks(backup)
                .settings(ReboundSettings.builder().timeSource(new VirtualTimeSource())
                        .listener(e -> events.add(e.toString())).build()).build();

        assertThatThrownBy(() -> wrapped.chat("q")).isSameAs(last);
        assertThat(events).hasSize(8).allMatch(e -> !e.contains("called"));
    }

    @Test
    void aFailureThatWrapsTheOneItIsSuppressedOnStillPrints() {
        IOException primaryLast = new IOException("primary");
        Recording primary = new Recording("p").failing(() -> primaryLast, 2);
        Recording backup = new Recording("b").failing(() -> new IllegalStateException("backup", primaryLast), 1);

        assertThatThrownBy(() -> wrap(Chat.class, primary, backup).chat("q")).isSameAs(primaryLast)
                .satisfies(e -> {
                    assertThat(e.getSuppressed()).hasSize(1);
                    assertThat(e.getSuppressed()[0].getCause()).isSameAs(primaryLast);
                    StringWriter out = new StringWriter();
                    e.printStackTrace(new PrintWriter(out));
                    assertThat(out.toString()).contains("CIRCULAR REFERENCE");
                });
    }

    public interface Annotated {
        @Retry(attempts = 1)
        @Fallback(to = {Unavailable.class, Available.class})
        String chat(String prompt) throws IOException;
    }

    public static final class Unavailable implements Annotated {
        @Override
        public String chat(String prompt) {
            return "unavailable";
        }
    }

    public static final class Available implements Annotated {
        @Override
        public String chat(String prompt) {
            return "available: " + prompt;
        }
    }

    @Test
    void anAlternativeWhoseProviderFailsAtCallTimeCountsAsThatAlternativesFailure() throws Throwable {
        IllegalStateException outOfScope = new IllegalStateException("no scope");
        Annotated primary = p -> {
            throw new IOException("primary");
        };
        ResilientMethod policy = Policies.resolve(primary.getClass(), Annotated.class.getMethod("chat", String.class),
                ReboundSettings.builder().logging(false).build(), type -> type == Unavailable.class
                        ? () -> {
                            throw outOfScope;
                        }
                        : () -> new Available());
        Invoker call = (context, args) -> ((Annotated) context).chat((String) args[0]);

        assertThat(policy.execute(primary, new Object[] {"q"}, call)).isEqualTo("available: q");
    }
}
