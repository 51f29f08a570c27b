package dev.rebound.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.runtime.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The default SLF4J listener reads its logger's levels once per call, against a real Logback: a level
 * set at run time applies from the next call.
 */
class RunTimeLevelTest {

    /** What the wrapper guards. */
    public interface Chat {
        String chat(String prompt);
    }

    @Test
    void aLevelSetAtRunTimeAppliesFromTheNextCall() {
        Logger rebound = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("dev.rebound");
        Level level = rebound.getLevel();
        boolean additive = rebound.isAdditive();
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        rebound.addAppender(lines);
        rebound.setAdditive(false);
        try {
            int[] attempts = {0};
            Chat failingOnce = prompt -> {
                if (attempts[0]++ % 2 == 0) {
                    throw new UncheckedIOException(new IOException("down"));
                }
                return "ok " + prompt;
            };
            Chat chat = Rebound.wrap(Chat.class, failingOnce)
                    .withRetry(RetryPolicy.builder().attempts(3).delay(Duration.ZERO).build())
                    .settings(ReboundSettings.builder().build()).build();

            rebound.setLevel(Level.OFF);
            assertThat(chat.chat("a")).isEqualTo("ok a");
            assertThat(lines.list).isEmpty();

            rebound.setLevel(Level.INFO);
            assertThat(chat.chat("b")).isEqualTo("ok b");
            assertThat(lines.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.INFO, Level.INFO);
            assertThat(lines.list.get(0).getFormattedMessage()).contains("retrying after ").contains(": attempt 2 in");
            assertThat(lines.list.get(1).getFormattedMessage()).contains("succeeded on");

            lines.list.clear();
            rebound.setLevel(Level.WARN);
            assertThat(chat.chat("c")).isEqualTo("ok c");
            assertThat(lines.list).as("a retry and its success are INFO lines").isEmpty();

            rebound.setLevel(Level.DEBUG);
            assertThat(chat.chat("d")).isEqualTo("ok d");
            assertThat(lines.list).extracting(ILoggingEvent::getLevel)
                    .containsExactly(Level.DEBUG, Level.INFO, Level.INFO);
        } finally {
            rebound.detachAppender(lines);
            rebound.setLevel(level);
            rebound.setAdditive(additive);
        }
    }
}
